import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A tag name, shared by every article that uses it. */
@Entity('tags')
export class Tag {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  name: string;
}
