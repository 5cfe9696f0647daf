using Microsoft.Data.Sqlite;

namespace Driftwatch.Storage.Sqlite;

/// <summary>
/// The schema, as numbered steps. A database records the last step applied in PRAGMA user_version;
/// opening applies the missing ones in order, each in its own transaction. Never edit a released
/// step: add a new one.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<string> Steps =
    [
        // 1: runs, their planned and finished trials, and compressed artifacts.
        """
        CREATE TABLE runs (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            agent            TEXT    NOT NULL,
            agent_kind       TEXT    NOT NULL,
            agent_config     TEXT    NOT NULL,
            synthetic        INTEGER NOT NULL,
            suite            TEXT    NOT NULL,
            suite_path       TEXT    NOT NULL,
            suite_revision   TEXT    NOT NULL,
            trials_per_task  INTEGER NOT NULL,
            seed             INTEGER NOT NULL,
            task_filter      TEXT,
            sandbox          TEXT    NOT NULL,
            status           TEXT    NOT NULL,
            started_at       TEXT    NOT NULL,
            finished_at      TEXT,
            fingerprint      TEXT    NOT NULL,
            owner_host       TEXT,
            owner_pid        INTEGER,
            owner_started_at TEXT
        );
        CREATE INDEX runs_by_agent_suite ON runs (agent, suite, started_at);

        CREATE TABLE trials (
            run_id             INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            task_id            TEXT    NOT NULL,
            trial_index        INTEGER NOT NULL,
            sequence           INTEGER NOT NULL,
            category           TEXT    NOT NULL,
            language           TEXT    NOT NULL,
            outcome            TEXT,
            tests_passed       INTEGER,
            tests_total        INTEGER,
            started_at         TEXT,
            finished_at        TEXT,
            duration_ms        INTEGER,
            agent_duration_ms  INTEGER,
            test_duration_ms   INTEGER,
            input_tokens       INTEGER,
            output_tokens      INTEGER,
            cache_read_tokens  INTEGER,
            cache_write_tokens INTEGER,
            cost_usd           TEXT,
            turns              INTEGER,
            tool_calls         INTEGER,
            agent_version      TEXT,
            model              TEXT,
            stop_reason        TEXT,
            error_kind         TEXT,
            error_message      TEXT,
            attempts           INTEGER,
            PRIMARY KEY (run_id, task_id, trial_index)
        ) WITHOUT ROWID;
        CREATE INDEX trials_by_task ON trials (task_id, run_id);

        CREATE TABLE artifacts (
            run_id      INTEGER NOT NULL,
            task_id     TEXT    NOT NULL,
            trial_index INTEGER NOT NULL,
            kind        TEXT    NOT NULL,
            encoding    TEXT    NOT NULL,
            size        INTEGER NOT NULL,
            content     BLOB    NOT NULL,
            PRIMARY KEY (run_id, task_id, trial_index, kind),
            FOREIGN KEY (run_id, task_id, trial_index) REFERENCES trials (run_id, task_id, trial_index) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """,

        // 2: how a run spread its trials over tasks ("uniform" K each, or "adaptive" from a baseline).
        """
        ALTER TABLE runs ADD COLUMN allocation TEXT NOT NULL DEFAULT 'uniform';
        """,

        // 3: the first attempt's outcome when an agent gets a second attempt after test feedback (pass@1 vs pass@2).
        """
        ALTER TABLE trials ADD COLUMN first_outcome TEXT;
        """,

        // 4: what the harness sent to the model, per request (recording proxy), and its long texts once per hash.
        """
        CREATE TABLE harness_texts (
            hash      TEXT PRIMARY KEY,
            kind      TEXT NOT NULL,
            encoding  TEXT NOT NULL,
            size      INTEGER NOT NULL,
            content   BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE harness_requests (
            run_id             INTEGER NOT NULL,
            task_id            TEXT    NOT NULL,
            trial_index        INTEGER NOT NULL,
            seq                INTEGER NOT NULL,
            api                TEXT    NOT NULL,
            method             TEXT    NOT NULL,
            path               TEXT    NOT NULL,
            model              TEXT,
            system_hash        TEXT,
            context_hash       TEXT,
            tools_hash         TEXT,
            tool_names         TEXT    NOT NULL,
            parameters         TEXT    NOT NULL,
            betas              TEXT    NOT NULL,
            user_agent         TEXT,
            api_version        TEXT,
            fingerprint        TEXT    NOT NULL,
            streamed           INTEGER NOT NULL,
            status             INTEGER NOT NULL,
            response_model     TEXT,
            input_tokens       INTEGER,
            output_tokens      INTEGER,
            cache_read_tokens  INTEGER,
            cache_write_tokens INTEGER,
            stop_reason        TEXT,
            started_at         TEXT    NOT NULL,
            first_byte_ms      INTEGER NOT NULL,
            duration_ms        INTEGER NOT NULL,
            PRIMARY KEY (run_id, task_id, trial_index, seq),
            FOREIGN KEY (run_id, task_id, trial_index) REFERENCES trials (run_id, task_id, trial_index) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX harness_requests_fingerprint ON harness_requests (run_id, fingerprint);
        """,

        // 5: the scheduler's bookkeeping: each slot of each schedule entry with the run it made, the
        // last verdict per agent × suite, and an outbox of alerts (delivered_at NULL: still to send).
        """
        CREATE TABLE schedule_slots (
            entry            TEXT    NOT NULL,
            slot_at          TEXT    NOT NULL,
            run_id           INTEGER REFERENCES runs (id) ON DELETE SET NULL,
            status           TEXT    NOT NULL,
            claimed_at       TEXT    NOT NULL,
            finished_at      TEXT,
            note             TEXT,
            owner_host       TEXT,
            owner_pid        INTEGER,
            owner_started_at TEXT,
            PRIMARY KEY (entry, slot_at)
        ) WITHOUT ROWID;

        CREATE TABLE verdict_states (
            agent      TEXT NOT NULL,
            suite      TEXT NOT NULL,
            verdict    TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (agent, suite)
        ) WITHOUT ROWID;

        CREATE TABLE alerts (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at   TEXT    NOT NULL,
            event        TEXT    NOT NULL,
            agent        TEXT    NOT NULL,
            suite        TEXT    NOT NULL,
            run_id       INTEGER,
            payload      TEXT    NOT NULL,
            delivered_at TEXT,
            deliveries   TEXT
        );
        CREATE INDEX alerts_undelivered ON alerts (delivered_at, id);
        """,

        // 6: what a trial showed besides its outcome (suspect changes to the test machinery, a model
        // that was not the one asked for, a refusal) and the models that really served its main loop.
        """
        ALTER TABLE trials ADD COLUMN flags TEXT;
        ALTER TABLE trials ADD COLUMN served_models TEXT;
        """,

        // 7: a run's owner holds it by a lease that it renews while it works (RunLease), so that a run
        // whose owner vanished on another machine can be taken over. Runs from before have no lease:
        // their owner's pid decides, as it did.
        """
        ALTER TABLE runs ADD COLUMN owner_id TEXT;
        ALTER TABLE runs ADD COLUMN lease_expires_at TEXT;
        """,

        // 8: per-trial metrics as rows, one per name (Core/Metrics), so that a new metric needs no
        // new column. Trials recorded before have none.
        """
        CREATE TABLE trial_metrics (
            run_id      INTEGER NOT NULL,
            task_id     TEXT    NOT NULL,
            trial_index INTEGER NOT NULL,
            name        TEXT    NOT NULL,
            value       REAL    NOT NULL,
            PRIMARY KEY (run_id, task_id, trial_index, name),
            FOREIGN KEY (run_id, task_id, trial_index) REFERENCES trials (run_id, task_id, trial_index) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """,

        // 9: runs ingested from other harnesses (docs/ingest.md): each run's source, unique per
        // format family (jsonl and csv are one) and key so that ingesting the same files twice adds nothing, each trial's source
        // record, and the counts of runs that the harness keeps as per-run aggregates only.
        """
        ALTER TABLE runs ADD COLUMN source_format TEXT;
        ALTER TABLE runs ADD COLUMN source_family TEXT;
        ALTER TABLE runs ADD COLUMN source_key TEXT;
        ALTER TABLE runs ADD COLUMN source_path TEXT;
        ALTER TABLE runs ADD COLUMN source_hash TEXT;
        CREATE UNIQUE INDEX runs_by_source ON runs (source_family, source_key) WHERE source_key IS NOT NULL;
        ALTER TABLE trials ADD COLUMN source TEXT;
        CREATE TABLE run_totals (
            run_id             INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
            pass               INTEGER NOT NULL,
            fail               INTEGER NOT NULL,
            timeout            INTEGER NOT NULL,
            error              INTEGER NOT NULL,
            input_tokens       INTEGER,
            output_tokens      INTEGER,
            cache_read_tokens  INTEGER,
            cache_write_tokens INTEGER,
            cost_usd           TEXT,
            duration_ms        INTEGER
        );
        """,

        // 10: the behaviour alarms of the last verdict ("outputTokens down", a JSON list; NULL when none),
        // so that a behaviour change alerts once while it lasts, and its end is known (docs/scheduling.md).
        """
        ALTER TABLE verdict_states ADD COLUMN behaviour_alarms TEXT;
        """,

        // 11: suites by content (#15): each suite revision's files as one gzipped tar, for workers on other machines.
        """
        CREATE TABLE suite_bundles (
            revision   TEXT PRIMARY KEY,
            archive    BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        """,

        // 12: artifacts out of the row store (#20): a new artifact's compressed text is a file beside
        // the database named by its SHA-256 (hash; its content stays empty), shared by every trial
        // with the same text. Rows from before keep their content inline (hash NULL). pruned_at: when
        // the retention policy removed the artifact (`db gc`); the row stays, to say so. No index on
        // hash: only `db gc` looks rows up by it, in one scan, and an index would cost a third of the row.
        """
        ALTER TABLE artifacts ADD COLUMN hash TEXT;
        ALTER TABLE artifacts ADD COLUMN pruned_at TEXT;
        """,

        // 13: each run's trial counts kept by triggers as trials are planned, recorded, retried and
        // deleted (#20), so that listing runs reads one row per run instead of every trial; the
        // flagged trials by a partial index; and the runs by start for the latest N. `writes` counts
        // every write to the run or its trials, so that readers can tell what they derived is current.
        """
        CREATE TABLE run_tallies (
            run_id  INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
            trials  INTEGER NOT NULL,
            pass    INTEGER NOT NULL,
            fail    INTEGER NOT NULL,
            timeout INTEGER NOT NULL,
            error   INTEGER NOT NULL,
            pending INTEGER NOT NULL,
            writes  INTEGER NOT NULL
        );
        INSERT INTO run_tallies (run_id, trials, pass, fail, timeout, error, pending, writes)
        SELECT r.id, COUNT(t.run_id), COALESCE(SUM(t.outcome IS 'pass'), 0), COALESCE(SUM(t.outcome IS 'fail'), 0),
               COALESCE(SUM(t.outcome IS 'timeout'), 0), COALESCE(SUM(t.outcome IS 'error'), 0),
               COALESCE(SUM(t.run_id IS NOT NULL AND t.outcome IS NULL), 0), 1
        FROM runs r LEFT JOIN trials t ON t.run_id = r.id GROUP BY r.id;
        CREATE TRIGGER run_tallies_on_run_insert AFTER INSERT ON runs BEGIN
            INSERT INTO run_tallies (run_id, trials, pass, fail, timeout, error, pending, writes)
            VALUES (NEW.id, 0, 0, 0, 0, 0, 0, 1)
            ON CONFLICT (run_id) DO UPDATE SET writes = writes + 1;
        END;
        CREATE TRIGGER run_tallies_on_run_update AFTER UPDATE ON runs BEGIN
            UPDATE run_tallies SET writes = writes + 1 WHERE run_id = NEW.id;
        END;
        CREATE TRIGGER run_tallies_on_insert AFTER INSERT ON trials BEGIN
            UPDATE run_tallies SET trials = trials + 1, pass = pass + (NEW.outcome IS 'pass'),
                fail = fail + (NEW.outcome IS 'fail'), timeout = timeout + (NEW.outcome IS 'timeout'),
                error = error + (NEW.outcome IS 'error'), pending = pending + (NEW.outcome IS NULL),
                writes = writes + 1
            WHERE run_id = NEW.run_id;
        END;
        CREATE TRIGGER run_tallies_on_update AFTER UPDATE ON trials BEGIN
            UPDATE run_tallies SET
                pass = pass - (OLD.outcome IS 'pass') + (NEW.outcome IS 'pass'),
                fail = fail - (OLD.outcome IS 'fail') + (NEW.outcome IS 'fail'),
                timeout = timeout - (OLD.outcome IS 'timeout') + (NEW.outcome IS 'timeout'),
                error = error - (OLD.outcome IS 'error') + (NEW.outcome IS 'error'),
                pending = pending - (OLD.outcome IS NULL) + (NEW.outcome IS NULL),
                writes = writes + 1
            WHERE run_id = NEW.run_id;
        END;
        CREATE TRIGGER run_tallies_on_delete AFTER DELETE ON trials BEGIN
            UPDATE run_tallies SET trials = trials - 1,
                pass = pass - (OLD.outcome IS 'pass'), fail = fail - (OLD.outcome IS 'fail'),
                timeout = timeout - (OLD.outcome IS 'timeout'), error = error - (OLD.outcome IS 'error'),
                pending = pending - (OLD.outcome IS NULL), writes = writes + 1
            WHERE run_id = OLD.run_id;
        END;
        CREATE INDEX trials_flagged ON trials (run_id) WHERE flags IS NOT NULL;
        CREATE INDEX runs_by_start ON runs (started_at, id);
        """,

        // 14: the verdict last computed per agent × suite, under the key of what it was computed
        // from (its runs and their write counts, the check options, the build), so that a verdict is
        // judged once per change and read back otherwise (#20). A cache: db copy leaves it behind.
        """
        CREATE TABLE stored_verdicts (
            agent       TEXT NOT NULL,
            suite       TEXT NOT NULL,
            key         TEXT NOT NULL,
            verdict     TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (agent, suite)
        ) WITHOUT ROWID;
        """,

        // 15: a trial's metrics as one row (#20): each name once in metric_names, each trial's values
        // packed in trial_metric_sets (StoredRows' MetricSets: 10 bytes per metric) instead of a row
        // per metric that repeated the trial's key and the name. The old rows are packed by
        // PackOldMetrics below, in this step's transaction, and trial_metrics is dropped. And an
        // artifact row holds its hash's 32 bytes instead of its 64 hex characters (the file keeps
        // its hex name; readers take either form: ArtifactFiles.StoredHash).
        """
        UPDATE artifacts SET hash = unhex(hash) WHERE typeof(hash) = 'text' AND unhex(hash) IS NOT NULL;
        CREATE TABLE metric_names (
            id   INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT    NOT NULL UNIQUE
        );
        INSERT INTO metric_names (name) SELECT DISTINCT name FROM trial_metrics ORDER BY name;
        CREATE TABLE trial_metric_sets (
            run_id      INTEGER NOT NULL,
            task_id     TEXT    NOT NULL,
            trial_index INTEGER NOT NULL,
            metrics     BLOB    NOT NULL,
            PRIMARY KEY (run_id, task_id, trial_index),
            FOREIGN KEY (run_id, task_id, trial_index) REFERENCES trials (run_id, task_id, trial_index) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """,

        // 16: each run's finished trials counted per task and outcome, kept by triggers as trials are
        // recorded, retried and deleted (#20): a history's outcomes are read as one row per run and
        // task instead of one per trial, and never from the trials' wide rows.
        """
        CREATE TABLE run_task_tallies (
            run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            task_id TEXT    NOT NULL,
            pass    INTEGER NOT NULL,
            fail    INTEGER NOT NULL,
            timeout INTEGER NOT NULL,
            error   INTEGER NOT NULL,
            other   INTEGER NOT NULL,
            PRIMARY KEY (run_id, task_id)
        ) WITHOUT ROWID;
        INSERT INTO run_task_tallies (run_id, task_id, pass, fail, timeout, error, other)
        SELECT run_id, task_id, SUM(outcome IS 'pass'), SUM(outcome IS 'fail'), SUM(outcome IS 'timeout'), SUM(outcome IS 'error'),
               SUM(outcome NOT IN ('pass', 'fail', 'timeout', 'error'))
        FROM trials WHERE outcome IS NOT NULL GROUP BY run_id, task_id;
        CREATE TRIGGER run_task_tallies_on_insert AFTER INSERT ON trials WHEN NEW.outcome IS NOT NULL BEGIN
            INSERT INTO run_task_tallies (run_id, task_id, pass, fail, timeout, error, other)
            VALUES (NEW.run_id, NEW.task_id, NEW.outcome IS 'pass', NEW.outcome IS 'fail', NEW.outcome IS 'timeout', NEW.outcome IS 'error',
                    NEW.outcome NOT IN ('pass', 'fail', 'timeout', 'error'))
            ON CONFLICT (run_id, task_id) DO UPDATE SET pass = pass + excluded.pass, fail = fail + excluded.fail,
                timeout = timeout + excluded.timeout, error = error + excluded.error, other = other + excluded.other;
        END;
        CREATE TRIGGER run_task_tallies_on_update AFTER UPDATE OF outcome ON trials BEGIN
            UPDATE run_task_tallies SET pass = pass - (OLD.outcome IS 'pass'), fail = fail - (OLD.outcome IS 'fail'),
                timeout = timeout - (OLD.outcome IS 'timeout'), error = error - (OLD.outcome IS 'error'),
                other = other - (OLD.outcome IS NOT NULL AND OLD.outcome NOT IN ('pass', 'fail', 'timeout', 'error'))
            WHERE run_id = OLD.run_id AND task_id = OLD.task_id;
            INSERT INTO run_task_tallies (run_id, task_id, pass, fail, timeout, error, other)
            SELECT NEW.run_id, NEW.task_id, NEW.outcome IS 'pass', NEW.outcome IS 'fail', NEW.outcome IS 'timeout', NEW.outcome IS 'error',
                   NEW.outcome NOT IN ('pass', 'fail', 'timeout', 'error')
            WHERE NEW.outcome IS NOT NULL
            ON CONFLICT (run_id, task_id) DO UPDATE SET pass = pass + excluded.pass, fail = fail + excluded.fail,
                timeout = timeout + excluded.timeout, error = error + excluded.error, other = other + excluded.other;
        END;
        CREATE TRIGGER run_task_tallies_on_delete AFTER DELETE ON trials WHEN OLD.outcome IS NOT NULL BEGIN
            UPDATE run_task_tallies SET pass = pass - (OLD.outcome IS 'pass'), fail = fail - (OLD.outcome IS 'fail'),
                timeout = timeout - (OLD.outcome IS 'timeout'), error = error - (OLD.outcome IS 'error'),
                other = other - (OLD.outcome IS NOT NULL AND OLD.outcome NOT IN ('pass', 'fail', 'timeout', 'error'))
            WHERE run_id = OLD.run_id AND task_id = OLD.task_id;
        END;
        """,

        // 17: calibrated detector limits, by the SHA-256 of everything they were simulated from
        // (#20), so that a verdict judged again after a new day reuses the calibration of an
        // unchanged baseline. A cache: db copy leaves it behind; a put drops rows older than 30 days.
        """
        CREATE TABLE calibrations (
            key         TEXT NOT NULL PRIMARY KEY,
            limits      TEXT NOT NULL,
            computed_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,

        // 18: each run's finished trials counted by flag kind in its tally row, kept by the same kind
        // of triggers (#20): listing runs parsed every flagged trial's flags, 313,365 of them in a
        // 1M-trial database, 120 to 550 ms on every listing. A trial counts once per kind, as
        // TrialFlags.KindOf reads its flags; flags that are not JSON count as none (reading the
        // trial still reports them). The partial index the listing used goes.
        $"""
        ALTER TABLE run_tallies ADD COLUMN suspect  INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE run_tallies ADD COLUMN fallback INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE run_tallies ADD COLUMN refusal  INTEGER NOT NULL DEFAULT 0;
        UPDATE run_tallies SET
            suspect  = (SELECT COUNT(*) FROM trials t INDEXED BY trials_flagged WHERE t.run_id = run_tallies.run_id AND t.flags IS NOT NULL AND {Flagged("t", "suspect")}),
            fallback = (SELECT COUNT(*) FROM trials t INDEXED BY trials_flagged WHERE t.run_id = run_tallies.run_id AND t.flags IS NOT NULL AND {Flagged("t", "fallback")}),
            refusal  = (SELECT COUNT(*) FROM trials t INDEXED BY trials_flagged WHERE t.run_id = run_tallies.run_id AND t.flags IS NOT NULL AND {Flagged("t", "refusal")})
        WHERE run_id IN (SELECT run_id FROM trials INDEXED BY trials_flagged WHERE flags IS NOT NULL);
        CREATE TRIGGER run_flag_tallies_on_insert AFTER INSERT ON trials WHEN NEW.flags IS NOT NULL AND NEW.outcome IS NOT NULL BEGIN
            UPDATE run_tallies SET suspect = suspect + {Flagged("NEW", "suspect")}, fallback = fallback + {Flagged("NEW", "fallback")},
                refusal = refusal + {Flagged("NEW", "refusal")}
            WHERE run_id = NEW.run_id;
        END;
        CREATE TRIGGER run_flag_tallies_on_update AFTER UPDATE OF flags, outcome ON trials
            WHEN (OLD.flags IS NOT NULL AND OLD.outcome IS NOT NULL) OR (NEW.flags IS NOT NULL AND NEW.outcome IS NOT NULL) BEGIN
            UPDATE run_tallies SET suspect = suspect - {Flagged("OLD", "suspect")}, fallback = fallback - {Flagged("OLD", "fallback")},
                refusal = refusal - {Flagged("OLD", "refusal")}
            WHERE run_id = OLD.run_id;
            UPDATE run_tallies SET suspect = suspect + {Flagged("NEW", "suspect")}, fallback = fallback + {Flagged("NEW", "fallback")},
                refusal = refusal + {Flagged("NEW", "refusal")}
            WHERE run_id = NEW.run_id;
        END;
        CREATE TRIGGER run_flag_tallies_on_delete AFTER DELETE ON trials WHEN OLD.flags IS NOT NULL AND OLD.outcome IS NOT NULL BEGIN
            UPDATE run_tallies SET suspect = suspect - {Flagged("OLD", "suspect")}, fallback = fallback - {Flagged("OLD", "fallback")},
                refusal = refusal - {Flagged("OLD", "refusal")}
            WHERE run_id = OLD.run_id;
        END;
        DROP INDEX trials_flagged;
        """,
    ];

    /// <summary>
    /// Step 18's test of one trial row (<paramref name="row"/>: t, NEW or OLD): 1 when it is finished
    /// and one of its flags is of <paramref name="kind"/> (as TrialFlags.KindOf reads a flag: by its
    /// prefix, case-sensitive), else 0. Written out here, not built from TrialFlags, so that the step
    /// stays what it was when it ran.
    /// </summary>
    private static string Flagged(string row, string kind)
    {
        var match = kind switch
        {
            "suspect" => "substr(f.value, 1, 8) = 'suspect:'",
            "fallback" => "substr(f.value, 1, 9) = 'fallback:'",
            "refusal" => "(f.value = 'refusal' OR substr(f.value, 1, 8) IN ('refusal ', 'refusal:'))",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return $"(CASE WHEN {row}.outcome IS NOT NULL AND {row}.flags IS NOT NULL AND json_valid({row}.flags) " +
            $"THEN EXISTS (SELECT 1 FROM json_each({row}.flags) f WHERE f.type = 'text' AND {match}) ELSE 0 END)";
    }

    /// <summary>What a step does beyond its SQL, in its transaction after it, by step index (0-based).</summary>
    public static readonly IReadOnlyDictionary<int, Action<SqliteConnection, SqliteTransaction>> Code =
        new Dictionary<int, Action<SqliteConnection, SqliteTransaction>> { [14] = PackOldMetrics };

    /// <summary>Step 15's rows: every trial's metric rows packed into one, then the old table dropped.</summary>
    private static void PackOldMetrics(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var insert = Sql.Command(connection, transaction,
            "INSERT INTO trial_metric_sets (run_id, task_id, trial_index, metrics) VALUES ($run, $task, $index, $metrics);",
            ("$run", 0L), ("$task", ""), ("$index", 0), ("$metrics", Array.Empty<byte>()));
        using var select = Sql.Command(connection, transaction, """
            SELECT m.run_id, m.task_id, m.trial_index, n.id, m.value FROM trial_metrics m JOIN metric_names n ON n.name = m.name
            ORDER BY m.run_id, m.task_id, m.trial_index;
            """);
        using var reader = select.ExecuteReader();
        (long Run, string Task, int Index)? current = null;
        var values = new List<(int, double)>();
        void Flush()
        {
            if (current is not { } key)
                return;
            insert.Parameters["$run"].Value = key.Run;
            insert.Parameters["$task"].Value = key.Task;
            insert.Parameters["$index"].Value = key.Index;
            insert.Parameters["$metrics"].Value = MetricSets.Pack(values);
            insert.ExecuteNonQuery();
            values.Clear();
        }
        while (reader.Read())
        {
            var key = (reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2));
            if (current != key)
            {
                Flush();
                current = key;
            }
            values.Add(((int)reader.GetInt64(3), reader.GetDouble(4)));
        }
        Flush();
        reader.Close();
        Sql.Execute(connection, "DROP TABLE trial_metrics;", transaction);
    }
}
