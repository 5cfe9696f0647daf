using Driftwatch.Testing;

// The shared PostgreSQL test server stops when this assembly's tests end, not at process exit.
[assembly: AssemblyFixture(typeof(PostgresServerLifetime))]
