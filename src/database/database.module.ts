import { Global, Module } from '@nestjs/common';
import { TransactionRunner } from './transaction-runner.js';

/** Shared database helpers for feature modules. */
@Global()
@Module({ providers: [TransactionRunner], exports: [TransactionRunner] })
export class DatabaseModule {}
