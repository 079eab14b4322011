using System.Data.Common;
using System.Globalization;
using CryptoEtl.Core;
using CryptoEtl.Core.Backfill;

namespace CryptoEtl.DuckDb;

/// <summary>
/// A backfill's rows in crypto_data, marked with its backfill_id, one row per bucket and coin, so
/// the views and the report read them as snapshots at the buckets' starts. A bucket holds either
/// snapshots or backfilled rows, never both: a history load skips the buckets a snapshot covers
/// and replaces the backfilled rows of the buckets it loads (the newest backfill of a bucket wins,
/// whole, so its shares stay among one coin set); a snapshot load drops the backfilled rows of
/// the day or hour bucket it falls in (docs/backfill.md).
/// </summary>
public sealed partial class DuckDbWarehouse
{
    private const string Staged = "history_load";

    public async Task<int> LoadHistoryAsync(HistoryCsv history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var localCsv = history.LocalPath ?? throw new ArgumentException($"DuckDB loads {history.CsvKey} from a local file; LoadStep passes one", nameof(history));
        var bucketMinutes = history.BackfillId.Contains("-day", StringComparison.Ordinal) ? 1440 : 60;
        return await InLoadTransactionAsync(history.CsvKey, async connection =>
        {
            await ExecuteAsync(connection, $"CREATE OR REPLACE TEMP TABLE {Staged} AS SELECT * FROM {ReadCsv(localCsv)}", cancellationToken);
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"""
                DELETE FROM {Staged} h
                WHERE EXISTS (
                    SELECT 1 FROM {DuckDbSchema.SnapshotIndexTable} s
                    WHERE s.backfill_id IS NULL AND s.vs_currency = h.vs_currency
                        AND s.fetch_time >= h.fetch_time AND s.fetch_time < h.fetch_time + INTERVAL '{bucketMinutes} minutes')
                """), cancellationToken);
            await ExecuteAsync(connection, $"""
                DELETE FROM {Table} d
                WHERE d.backfill_id IS NOT NULL
                    AND EXISTS (SELECT 1 FROM {Staged} h WHERE h.fetch_time = d.fetch_time AND h.vs_currency = d.vs_currency)
                """, cancellationToken);
            var loaded = await ExecuteAsync(connection,
                $"INSERT INTO {Table} ({DuckDbSchema.ColumnList}, backfill_id) SELECT {DuckDbSchema.ColumnList}, $1 FROM {Staged}",
                cancellationToken, history.BackfillId);
            foreach (var statement in DuckDbSchema.IndexSnapshots($"fetch_time IN (SELECT fetch_time FROM {Staged})"))
            {
                await ExecuteAsync(connection, statement, cancellationToken);
            }

            await ExecuteAsync(connection, $"DROP TABLE {Staged}", cancellationToken);
            return loaded;
        }, cancellationToken);
    }

    /// <summary>
    /// A snapshot at <paramref name="fetchTime"/> takes its bucket over: the backfilled rows of its
    /// UTC day (day backfills) or hour (hour backfills) in its currencies go, and those buckets are re-indexed.
    /// </summary>
    private static async Task DropBackfilledBucketAsync(DbConnection connection, DateTime fetchTime, CancellationToken cancellationToken)
    {
        const string Buckets = "(date_trunc('day', $1::TIMESTAMPTZ), date_trunc('hour', $1::TIMESTAMPTZ))";
        var dropped = await ExecuteAsync(connection, $"""
            DELETE FROM {CryptoSchema.TableName}
            WHERE backfill_id IS NOT NULL
                AND fetch_time IN {Buckets}
                AND ((backfill_id LIKE '%-day%' AND fetch_time = date_trunc('day', $1::TIMESTAMPTZ))
                    OR (backfill_id LIKE '%-hour%' AND fetch_time = date_trunc('hour', $1::TIMESTAMPTZ)))
                AND vs_currency IN (SELECT vs_currency FROM {CryptoSchema.TableName} WHERE fetch_time = $1 AND backfill_id IS NULL)
            """, cancellationToken, fetchTime);
        if (dropped > 0)
        {
            foreach (var statement in DuckDbSchema.IndexSnapshots($"fetch_time IN {Buckets}"))
            {
                await ExecuteAsync(connection, statement, cancellationToken, fetchTime);
            }
        }
    }
}
