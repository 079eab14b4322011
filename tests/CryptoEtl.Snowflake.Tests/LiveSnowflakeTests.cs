using CryptoEtl.Core;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Against a real account, only when SNOWFLAKE_ACCOUNT and SNOWFLAKE_PRIVATE_KEY_PATH (plus
/// SNOWFLAKE_USER, SNOWFLAKE_WAREHOUSE, ...) are set; otherwise reported as skipped, with why.
/// To also load, set CRYPTOETL_TEST_SNOWFLAKE_CSV_KEY, _FETCH_TIME and _ROWS to a CSV already in
/// the stage's bucket.
/// </summary>
public sealed class LiveSnowflakeTests
{
    [SkippableFact]
    public async Task Live_account_answers_a_bound_query_and_reloads_idempotently()
    {
        Skip.If(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SettingNames.SnowflakeAccount))
                || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SettingNames.SnowflakePrivateKeyPath)),
            $"live Snowflake test skipped: set {SettingNames.SnowflakeAccount} and {SettingNames.SnowflakePrivateKeyPath} (and the other SNOWFLAKE_* settings) to run it");

        var options = SnowflakeOptions.FromSettingsWithKeyFile(Environment.GetEnvironmentVariable);
        using var http = new HttpClient();
        var warehouse = new SnowflakeWarehouse(http, options, TimeProvider.System);

        var csvKey = Environment.GetEnvironmentVariable("CRYPTOETL_TEST_SNOWFLAKE_CSV_KEY");
        if (string.IsNullOrEmpty(csvKey))
        {
            Assert.True(await warehouse.CountRowsAsync(DateTimeOffset.UnixEpoch, CancellationToken.None) >= 0);
            return;
        }

        var fetchTime = DateTimeOffset.Parse(Environment.GetEnvironmentVariable("CRYPTOETL_TEST_SNOWFLAKE_FETCH_TIME")!, System.Globalization.CultureInfo.InvariantCulture);
        var rows = int.Parse(Environment.GetEnvironmentVariable("CRYPTOETL_TEST_SNOWFLAKE_ROWS")!, System.Globalization.CultureInfo.InvariantCulture);
        var snapshot = new SnapshotCsv(csvKey, fetchTime, rows);

        Assert.Equal(rows, await warehouse.LoadSnapshotAsync(snapshot, CancellationToken.None));
        Assert.Equal(rows, await warehouse.LoadSnapshotAsync(snapshot, CancellationToken.None));
        Assert.Equal(rows, await warehouse.CountRowsAsync(fetchTime, CancellationToken.None));
    }
}
