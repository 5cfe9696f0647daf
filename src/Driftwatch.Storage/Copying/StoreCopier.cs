using System.Data;
using System.Data.Common;
using System.Globalization;
using Driftwatch.Core;
using Driftwatch.Core.Stores;
using Driftwatch.Storage.Postgres;
using Driftwatch.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Driftwatch.Storage.Copying;

/// <summary>How many rows of one table a copy moved.</summary>
public sealed record TableCopy(string Table, long Rows);

/// <summary>
/// `db copy`: a whole history from one store to another, table by table — the two schemas are the
/// same tables and columns (docs/storage.md) — with every id kept, artifacts as their stored bytes,
/// and the identity counters carried over, all in one transaction on the target, which must be empty.
/// </summary>
public static class StoreCopier
{
    /// <summary>Every table of the schema, parents before the tables that reference them.</summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        "runs", "trials", "artifacts", "harness_texts", "harness_requests", "metric_names", "trial_metric_sets", "run_totals",
        "schedule_slots", "verdict_states", "alerts", "suite_bundles",
    ];

    /// <summary>
    /// The tables the store derives from the others, not copied: run_tallies and run_task_tallies
    /// (the trial counts that triggers keep per run and per run and task; the target's own triggers
    /// fill them from the rows copied), stored_verdicts (verdicts kept as a cache; the target judges
    /// again when first asked) and calibrations (limits kept as a cache; the target simulates again
    /// when first asked).
    /// </summary>
    public static readonly IReadOnlyList<string> Derived = ["run_tallies", "run_task_tallies", "stored_verdicts", "calibrations"];

    /// <summary>
    /// Where the artifacts' compressed texts live, which is not a table in both stores: files beside
    /// a SQLite database, the artifact_blobs table in PostgreSQL (docs/storage.md). Copied after the
    /// tables, each text the copied artifact rows name once.
    /// </summary>
    public const string Blobs = "artifact_blobs";

    /// <summary>The tables whose id the store assigns (SQLite AUTOINCREMENT, PostgreSQL identity).</summary>
    private static readonly IReadOnlyList<string> Counted = ["runs", "alerts", "metric_names"];

    /// <summary>
    /// Copies everything in <paramref name="source"/> into <paramref name="target"/>, both open
    /// (and so migrated to this build's schema). Bad input, with nothing written, when the target
    /// already holds anything; <paramref name="targetName"/> names it in that message.
    /// </summary>
    public static async Task<IReadOnlyList<TableCopy>> CopyAsync(DriftwatchStore source, DriftwatchStore target, string targetName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        await using var from = await End.OpenAsync(source, cancellationToken);
        await using var to = await End.OpenAsync(target, cancellationToken);
        // The source is read as one snapshot; the target is written in one transaction that holds
        // its tables, so nothing else writes there between the emptiness check and the commit.
        await from.BeginAsync(write: false, cancellationToken);
        await to.BeginAsync(write: true, cancellationToken);
        foreach (var table in Tables)
        {
            var rows = await to.CountAsync(table, cancellationToken);
            if (rows > 0)
            {
                throw new InvalidInputException(table == "runs"
                    ? $"{targetName}: the target already holds {rows} run(s); db copy only fills an empty store: nothing was written"
                    : $"{targetName}: the target's table {table} already holds {rows} row(s); db copy only fills an empty store: nothing was written");
            }
        }
        var copied = new List<TableCopy>();
        foreach (var table in Tables)
        {
            var columns = await from.ColumnsAsync(table, cancellationToken);
            var targetColumns = await to.ColumnsAsync(table, cancellationToken);
            if (!columns.Select(c => c.Name).Order(StringComparer.Ordinal).SequenceEqual(targetColumns.Select(c => c.Name).Order(StringComparer.Ordinal), StringComparer.Ordinal))
                throw new InvalidOperationException($"table {table} has other columns in the two stores: {string.Join(", ", columns.Select(c => c.Name))} and {string.Join(", ", targetColumns.Select(c => c.Name))}");
            var types = targetColumns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
            await using var select = from.Select(table, columns);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var rows = await to.WriteAsync(table, [.. columns.Select(c => new Column(c.Name, types[c.Name]))], reader, cancellationToken);
            copied.Add(new TableCopy(table, rows));
        }
        long blobs = 0;
        await foreach (var blob in from.ReadBlobsAsync(cancellationToken))
        {
            await to.PutBlobAsync(blob, cancellationToken);
            blobs++;
        }
        copied.Add(new TableCopy(Blobs, blobs));
        foreach (var table in Counted)
            await to.SetCounterAsync(table, await from.CounterAsync(table, cancellationToken), cancellationToken);
        await to.CommitAsync(cancellationToken);
        return copied;
    }

    private sealed record Column(string Name, string Type);

    private sealed record Blob(string Hash, string Encoding, long Size, byte[] Content);

    /// <summary>One side of a copy: a connection of the store, in the words of its engine.</summary>
    private sealed class End : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private readonly ArtifactFiles? _files;
        private DbTransaction? _transaction;

        private End(DbConnection connection, ArtifactFiles? files)
        {
            _connection = connection;
            _files = files;
        }

        private bool IsPostgres => _connection is NpgsqlConnection;

        public static async Task<End> OpenAsync(DriftwatchStore store, CancellationToken cancellationToken) => store.Results switch
        {
            SqliteResultStore sqlite => new End(sqlite.Database.OpenConnection(), sqlite.Database.Artifacts),
            PostgresResultStore postgres => new End(await postgres.Database.OpenAsync(cancellationToken), null),
            var other => throw new ArgumentException($"a {other.GetType().Name} cannot be copied", nameof(store)),
        };

        public async Task BeginAsync(bool write, CancellationToken cancellationToken)
        {
            switch (_connection)
            {
                case SqliteConnection sqlite:
                    // A writer takes the write lock at once (IMMEDIATE); a reader's first read fixes its snapshot.
                    _transaction = sqlite.BeginTransaction(deferred: !write);
                    break;
                case NpgsqlConnection postgres:
                    _transaction = await postgres.BeginTransactionAsync(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);
                    if (write)
                        await ExecuteAsync($"LOCK TABLE {string.Join(", ", Tables)}, {Blobs} IN EXCLUSIVE MODE;", cancellationToken);
                    break;
            }
        }

        public async Task<long> CountAsync(string table, CancellationToken cancellationToken) =>
            Convert.ToInt64(await ScalarAsync($"SELECT COUNT(*) FROM {table};", cancellationToken), CultureInfo.InvariantCulture);

        /// <summary>The table's columns in their order, with their declared types.</summary>
        public async Task<List<Column>> ColumnsAsync(string table, CancellationToken cancellationToken)
        {
            await using var command = Command(IsPostgres
                ? "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position;"
                : "SELECT name, type FROM pragma_table_info(@table) ORDER BY cid;");
            Add(command, "table", table);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = new List<Column>();
            while (await reader.ReadAsync(cancellationToken))
                columns.Add(new Column(reader.GetString(0), reader.GetString(1).ToLowerInvariant()));
            return columns;
        }

        public DbCommand Select(string table, IReadOnlyList<Column> columns) => Command($"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {table};");

        /// <summary>Writes every row of <paramref name="reader"/>: PostgreSQL by binary COPY, SQLite by one prepared INSERT.</summary>
        public async Task<long> WriteAsync(string table, IReadOnlyList<Column> columns, DbDataReader reader, CancellationToken cancellationToken)
        {
            var names = string.Join(", ", columns.Select(c => c.Name));
            long rows = 0;
            if (_connection is NpgsqlConnection postgres)
            {
                await using var writer = await postgres.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    await writer.StartRowAsync(cancellationToken);
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (reader.IsDBNull(i))
                            await writer.WriteNullAsync(cancellationToken);
                        else
                            await WriteValueAsync(writer, columns[i], reader.GetValue(i), cancellationToken);
                    }
                    rows++;
                }
                await writer.CompleteAsync(cancellationToken);
                return rows;
            }
            await using var insert = Command($"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@c{i}"))});");
            for (var i = 0; i < columns.Count; i++)
                Add(insert, $"c{i}", DBNull.Value);
            // An artifact's hash comes from PostgreSQL as hex text; SQLite holds its bytes.
            var hash = table == "artifacts" ? columns.Select(c => c.Name).ToList().IndexOf("hash") : -1;
            while (await reader.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < columns.Count; i++)
                    insert.Parameters[i].Value = i == hash && reader.GetValue(i) is string hex ? Convert.FromHexString(hex) : reader.GetValue(i);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                rows++;
            }
            return rows;
        }

        /// <summary>A value as the PostgreSQL column's type (SQLite gives INTEGER as long, REAL as double, BLOB as bytes).</summary>
        private static Task WriteValueAsync(NpgsqlBinaryImporter writer, Column column, object value, CancellationToken cancellationToken) => column.Type switch
        {
            "bigint" => writer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint, cancellationToken),
            // An artifact's hash, which SQLite holds as its bytes and PostgreSQL as hex text.
            "text" when value is byte[] bytes => writer.WriteAsync(Convert.ToHexStringLower(bytes), NpgsqlDbType.Text, cancellationToken),
            "text" => writer.WriteAsync(Convert.ToString(value, CultureInfo.InvariantCulture)!, NpgsqlDbType.Text, cancellationToken),
            "bytea" => writer.WriteAsync((byte[])value, NpgsqlDbType.Bytea, cancellationToken),
            "double precision" => writer.WriteAsync(Convert.ToDouble(value, CultureInfo.InvariantCulture), NpgsqlDbType.Double, cancellationToken),
            _ => throw new InvalidOperationException($"column {column.Name} has a type db copy does not know: {column.Type}"),
        };

        /// <summary>
        /// The compressed text of every hash an artifact row names, checked to decode to its size:
        /// a damaged or missing blob stops the copy, naming it, rather than travel on.
        /// </summary>
        public async IAsyncEnumerable<Blob> ReadBlobsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var command = Command(IsPostgres
                ? "SELECT b.hash, b.encoding, b.size, b.content FROM artifact_blobs b WHERE EXISTS (SELECT 1 FROM artifacts a WHERE a.hash = b.hash) ORDER BY b.hash;"
                : "SELECT hash, MIN(encoding), MIN(size), NULL FROM artifacts WHERE hash IS NOT NULL GROUP BY hash ORDER BY hash;");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var hash = _files is null ? reader.GetString(0) : ArtifactFiles.StoredHash(reader.GetValue(0));
                var encoding = reader.GetString(1);
                var size = reader.GetInt64(2);
                var content = _files is null ? (byte[])reader.GetValue(3) : _files.Read(hash, $"artifact {hash}");
                try
                {
                    _ = ArtifactCodec.Decompress(content, encoding, size);
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidInputException($"{(_files is null ? $"artifact_blobs {hash}" : _files.PathOf(hash))}: the artifact is damaged ({ex.Message}): nothing was written", ex);
                }
                yield return new Blob(hash, encoding, size, content);
            }
        }

        /// <summary>Stores a blob: a file beside a SQLite target (within its write transaction), a row of a PostgreSQL one.</summary>
        public async Task PutBlobAsync(Blob blob, CancellationToken cancellationToken)
        {
            if (_files is not null)
            {
                _files.Put(blob.Hash, blob.Content);
                return;
            }
            await using var insert = Command("INSERT INTO artifact_blobs (hash, encoding, size, content) VALUES (@hash, @encoding, @size, @content) ON CONFLICT (hash) DO NOTHING;");
            Add(insert, "hash", blob.Hash);
            Add(insert, "encoding", blob.Encoding);
            Add(insert, "size", blob.Size);
            Add(insert, "content", blob.Content);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        /// <summary>
        /// The highest id the store ever gave in <paramref name="table"/>: beyond the rows' own
        /// maximum when rows were deleted (an ingested run replaced), since ids are never reused.
        /// </summary>
        public async Task<long> CounterAsync(string table, CancellationToken cancellationToken)
        {
            var max = Convert.ToInt64(await ScalarAsync($"SELECT COALESCE(MAX(id), 0) FROM {table};", cancellationToken), CultureInfo.InvariantCulture);
            var given = IsPostgres
                ? await ScalarAsync($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SequenceOf(table)};", cancellationToken)
                : await ScalarAsync($"SELECT seq FROM sqlite_sequence WHERE name = '{table}';", cancellationToken);
            return Math.Max(max, given is null or DBNull ? 0 : Convert.ToInt64(given, CultureInfo.InvariantCulture));
        }

        /// <summary>Makes the next id the store gives in <paramref name="table"/> follow <paramref name="counter"/>.</summary>
        public async Task SetCounterAsync(string table, long counter, CancellationToken cancellationToken)
        {
            if (IsPostgres)
            {
                // setval(…, 1, false): the next id is 1, as in a new database.
                await ExecuteAsync(counter > 0
                    ? $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {counter.ToString(CultureInfo.InvariantCulture)}, true);"
                    : $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false);", cancellationToken);
                return;
            }
            if (counter == 0)
                return;
            var value = counter.ToString(CultureInfo.InvariantCulture);
            await ExecuteAsync($"UPDATE sqlite_sequence SET seq = MAX(seq, {value}) WHERE name = '{table}';", cancellationToken);
            await ExecuteAsync($"INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', {value} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}');", cancellationToken);
        }

        private static string SequenceOf(string table) => $"{table}_id_seq";

        public Task CommitAsync(CancellationToken cancellationToken) => _transaction!.CommitAsync(cancellationToken);

        private DbCommand Command(string sql)
        {
            var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            return command;
        }

        private static void Add(DbCommand command, string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
        {
            await using var command = Command(sql);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
        {
            await using var command = Command(sql);
            return await command.ExecuteScalarAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (_transaction is not null)
                await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
