// Types for fill.mjs where TypeScript code (purge-block.ts) imports it.
export declare function fillSqlite(file: string, n: number, now?: number): void;
export declare function expireSqlite(file: string, count: number): Promise<void>;
