import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import type { ListDefinition, Page } from '../../common/pagination/list-definition.js';
import { Paginator } from '../../common/pagination/paginator.js';
import { TransactionRunner } from '../../database/transaction-runner.js';
import type { New{{Entity}}Fields } from './dto/create-{{kebab}}.dto.js';
import type { List{{Entities}}Query } from './dto/list-{{kebabs}}.query.js';
import type { Update{{Entity}}Fields } from './dto/update-{{kebab}}.dto.js';
import { {{Entity}} } from './entities/{{kebab}}.entity.js';

/** The sort whitelist of `GET /api/{{kebabs}}`; every column is NOT NULL. */
const {{ENTITY}}_LIST: ListDefinition<{{Entity}}> = {
  name: '{{kebabs}}',
  defaultSort: '-createdAt',
  sortable: {
    createdAt: { column: '{{entity}}.createdAt', type: 'date' },
    title: { column: '{{entity}}.title', type: 'string' },
  },
  tieBreaker: { column: '{{entity}}.id' },
};

/**
 * {{Entities}}: each belongs to the user who created it. The list is scoped to the caller here;
 * single-{{label}} routes are checked by the ownership guard before these methods run.
 */
@Injectable()
export class {{Entities}}Service {
  constructor(
    @InjectRepository({{Entity}}) private readonly {{entities}}: Repository<{{Entity}}>,
    private readonly paginator: Paginator,
    private readonly tx: TransactionRunner,
  ) {}

  /** One page of the owner's {{labels}}, newest first unless `sort` says otherwise. */
  list(ownerId: number, query: List{{Entities}}Query): Promise<Page<{{Entity}}>> {
    const builder = this.{{entities}}
      .createQueryBuilder('{{entity}}')
      .where('{{entity}}.ownerId = :ownerId', { ownerId });
    if (query.search) {
      // A bound parameter with LIKE wildcards escaped: the text is matched literally.
      const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      builder.andWhere("LOWER({{entity}}.title) LIKE :pattern ESCAPE '\\'", { pattern });
    }
    return this.paginator.paginate(builder, query, {{ENTITY}}_LIST);
  }

  async create(ownerId: number, fields: New{{Entity}}Fields): Promise<{{Entity}}> {
    const id = await this.tx.run(async (manager) => {
      const { identifiers } = await manager.insert({{Entity}}, {
        ownerId,
        title: fields.title,
        body: fields.body ?? null,
      });
      return Number(identifiers[0].id);
    });
    return this.get(id);
  }

  /** The {{label}} with this id; NotFoundError when there is none. */
  async get(id: number): Promise<{{Entity}}> {
    const found = await this.{{entities}}.findOneBy({ id });
    if (!found) throw new NotFoundError('{{label}}', id);
    return found;
  }

  /** Changes the fields that were sent (and `updatedAt`); nothing sent, nothing written. */
  async update(id: number, changes: Update{{Entity}}Fields): Promise<{{Entity}}> {
    const patch: Partial<{{Entity}}> = { updatedAt: new Date() };
    if (changes.title !== undefined) patch.title = changes.title;
    if (changes.body !== undefined) patch.body = changes.body;
    if (Object.keys(patch).length > 1) {
      await this.tx.run((manager) => manager.update({{Entity}}, { id }, patch));
    }
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    await this.tx.run((manager) => manager.delete({{Entity}}, { id }));
  }

  /** The owner of the {{label}}, or undefined when it does not exist (for the ownership guard). */
  async ownerIdOf(id: number): Promise<number | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const found = await this.{{entities}}.findOne({
      where: { id },
      select: { id: true, ownerId: true },
    });
    return found?.ownerId;
  }
}
