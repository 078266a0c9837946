import { sqliteDriverProblem } from './audit-database';

/** The SQLite driver's native part missing (npm skipped its install script) or built for another Node.js: one line with the fix. */
describe('sqliteDriverProblem', () => {
  it('names a missing native part, with the fix', () => {
    // what the bindings package throws when build/Release/better_sqlite3.node is not there
    const missing = new Error('Could not locate the bindings file. Tried:\n → /app/node_modules/better-sqlite3/build/better_sqlite3.node\n → /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(sqliteDriverProblem(missing)).toBe(
      "the SQLite driver's native part (better-sqlite3) is not installed (npm skipped its install script). Fix: install with npm install --allow-scripts=better-sqlite3 " +
        '(or run npm rebuild better-sqlite3 where it is installed), or set DATABASE_URL to keep the audit trail in Postgres.',
    );
  });

  it('names a native part built for another Node.js', () => {
    const abi = new Error("The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 108. This version of Node.js requires\nNODE_MODULE_VERSION 115.");
    expect(sqliteDriverProblem(abi)).toMatch(new RegExp(`^the SQLite driver's native part \\(better-sqlite3\\) was built for another Node\\.js version than ${process.version.replace(/\./g, '\\.')}\\. Fix: `));
  });

  it('leaves other errors alone', () => {
    expect(sqliteDriverProblem(new Error('SQLITE_CANTOPEN: unable to open database file'))).toBeUndefined();
    expect(sqliteDriverProblem('EACCES')).toBeUndefined();
  });
});
