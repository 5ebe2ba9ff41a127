import { CreateDateColumn, UpdateDateColumn } from 'typeorm';
import { timestampColumn } from './column-types.js';

/** Base of entities with `created_at` / `updated_at` (millisecond precision on both dialects). */
export abstract class Timestamped {
  @CreateDateColumn(timestampColumn('created_at'))
  createdAt: Date;

  @UpdateDateColumn(timestampColumn('updated_at'))
  updatedAt: Date;
}
