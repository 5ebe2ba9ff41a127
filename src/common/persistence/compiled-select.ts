import type { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';

/**
 * A read statement for a hot path, built once with TypeORM's query builder (so column and table
 * names still come from the entity metadata) and then run as plain SQL with new parameter
 * values. Building SQL from metadata and hydrating entities cost more CPU than a cheap indexed
 * lookup itself: `GET /api/user`'s two lookups spent most of their framework time there.
 *
 * Rules: name every parameter (`:id`, never the object form of `where`, which invents names),
 * and select plain columns with explicit aliases. Rows come back as the driver returns them
 * (PostgreSQL and SQLite differ for dates and booleans): convert such a value with
 * {@link CompiledSelect.hydrate}. Parameter values are converted per driver as the builder would.
 */
export class CompiledSelect<Entity extends ObjectLiteral, Row extends ObjectLiteral> {
  private sql?: string;

  constructor(
    private readonly repository: Repository<Entity>,
    private readonly alias: string,
    private readonly build: (builder: SelectQueryBuilder<Entity>) => SelectQueryBuilder<Entity>,
  ) {}

  /**
   * Every matching row, as raw driver values under the selected aliases; inside a unit of work
   * pass its `manager`, so the rows are read in that transaction.
   */
  async all(parameters: ObjectLiteral, manager?: EntityManager): Promise<Row[]> {
    this.sql ??= this.build(this.repository.createQueryBuilder(this.alias)).getQuery();
    return runCompiled(this.repository, this.sql, parameters, manager);
  }

  /** A raw value of the entity's `property`, converted as entity hydration would convert it. */
  hydrate<Property extends keyof Entity & string>(
    property: Property,
    raw: unknown,
  ): Entity[Property] {
    return hydratorOf(this.repository, property)(raw);
  }

  /** The first matching row, or undefined. */
  async one(parameters: ObjectLiteral, manager?: EntityManager): Promise<Row | undefined> {
    return (await this.all(parameters, manager))[0];
  }
}

/**
 * Runs SQL built by a query builder (`:name` placeholders) with `parameters`, converted per
 * driver as the builder would; inside a unit of work pass its `manager`.
 */
export function runCompiled<Row>(
  repository: Repository<ObjectLiteral>,
  sql: string,
  parameters: ObjectLiteral,
  manager?: EntityManager,
): Promise<Row[]> {
  const [query, values] = repository.manager.connection.driver.escapeQueryWithParameters(
    sql,
    parameters,
  );
  return (manager ?? repository.manager).query(query, values);
}

/**
 * Converts raw driver values of the entity's `property` as entity hydration would (e.g. SQLite's
 * datetime text to a Date). The column is looked up once, not per value: hot paths convert
 * several values per row.
 */
export function hydratorOf<Entity extends ObjectLiteral, Property extends keyof Entity & string>(
  repository: Repository<Entity>,
  property: Property,
): (raw: unknown) => Entity[Property] {
  const column = repository.metadata.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${repository.metadata.name} has no column ${property}`);
  const { driver } = repository.manager.connection;
  return (raw) => driver.prepareHydratedValue(raw, column) as Entity[Property];
}
