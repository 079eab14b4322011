using CryptoEtl.Core;
using CryptoEtl.Testing;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

public sealed class SnowflakeOptionsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void Missing_required_settings_are_one_configuration_error_naming_each()
    {
        var ex = Assert.Throws<PipelineException>(() => SnowflakeOptions.FromSettings(Env((SettingNames.SnowflakeUser, "u")), TestKeys.PrivatePem));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Equal($"missing Snowflake settings: {SettingNames.SnowflakeAccount}, {SettingNames.SnowflakeWarehouse}", ex.Message);
    }

    // The host of a locator in US East (N. Virginia): docs.snowflake.com/en/user-guide/admin-account-identifier.
    [Fact]
    public void Defaults_give_the_agreed_table_stage_and_url()
    {
        var options = SnowflakeOptions.FromSettings(
            Env((SettingNames.SnowflakeAccount, "xy12345.us-east-1"), (SettingNames.SnowflakeUser, "loader"), (SettingNames.SnowflakeWarehouse, "CRYPTO_ETL_WH")),
            TestKeys.PrivatePem);

        Assert.Equal(CryptoSchema.SnowflakeTable, options.QualifiedTable);
        Assert.Equal("CRYPTO_ETL_DB.PUBLIC.CRYPTO_PROCESSED_STAGE", options.QualifiedStage);
        Assert.Equal("CRYPTO_ETL_DB.PUBLIC.CRYPTO_CSV_FORMAT", options.QualifiedFileFormat);
        Assert.Equal("https://xy12345.us-east-1.snowflakecomputing.com/", options.ApiBaseUrl.AbsoluteUri);
        Assert.Null(options.Role);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var options = SnowflakeOptions.FromSettings(
            Env((SettingNames.SnowflakeAccount, "myorg-acct"), (SettingNames.SnowflakeUser, "loader"), (SettingNames.SnowflakeWarehouse, "WH"),
                (SettingNames.SnowflakeRole, "CRYPTO_ETL_LOADER"), (SettingNames.SnowflakeDatabase, "DB2"), (SettingNames.SnowflakeSchema, "RAW"),
                (SettingNames.SnowflakeStage, "OTHER.PLACE.STAGE2"), (SettingNames.SnowflakeApiUrl, "http://127.0.0.1:9/")),
            TestKeys.PrivatePem);

        Assert.Equal("CRYPTO_ETL_LOADER", options.Role);
        Assert.Equal("DB2.RAW.CRYPTO_DATA", options.QualifiedTable);
        Assert.Equal("OTHER.PLACE.STAGE2", options.QualifiedStage);
        Assert.Equal("http://127.0.0.1:9/", options.ApiBaseUrl.AbsoluteUri);
    }

    [Theory]
    [InlineData("STAGE; DROP TABLE X")]
    [InlineData("\"quoted\"")]
    [InlineData("A.B")]
    [InlineData("A.B.C.D")]
    public void A_stage_that_is_not_a_plain_identifier_is_refused(string stage)
    {
        var ex = Assert.Throws<PipelineException>(() => SnowflakeOptions.FromSettings(
            Env((SettingNames.SnowflakeAccount, "a"), (SettingNames.SnowflakeUser, "u"), (SettingNames.SnowflakeWarehouse, "w"), (SettingNames.SnowflakeStage, stage)),
            TestKeys.PrivatePem));
        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(stage, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SettingNames.SnowflakeAccount, "xy12345.west-europe.azur")]
    [InlineData(SettingNames.SnowflakeWarehouse, "my warehouse")]
    [InlineData(SettingNames.SnowflakeRole, "\"unterminated")]
    [InlineData(SettingNames.SnowflakeDatabase, "1db")]
    public void A_value_snowflake_could_not_take_stops_at_once_naming_it(string setting, string value)
    {
        var settings = new Dictionary<string, string>
        {
            [SettingNames.SnowflakeAccount] = "myorg-myaccount", [SettingNames.SnowflakeUser] = "u", [SettingNames.SnowflakeWarehouse] = "w",
            [setting] = value,
        };

        var ex = Assert.Throws<PipelineException>(() => SnowflakeOptions.FromSettings(settings.GetValueOrDefault, TestKeys.PrivatePem));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_helper_reads_the_key_file_and_its_passphrase()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("rsa_key.p8");
        File.WriteAllText(path, TestKeys.EncryptedPrivatePem);

        var options = SnowflakeOptions.FromSettingsWithKeyFile(Env(
            (SettingNames.SnowflakeAccount, "a"), (SettingNames.SnowflakeUser, "u"), (SettingNames.SnowflakeWarehouse, "w"),
            (SettingNames.SnowflakePrivateKeyPath, path), (SettingNames.SnowflakePrivateKeyPassphrase, TestKeys.Passphrase)));

        Assert.Equal(TestKeys.OpensslFingerprint, KeyPairJwt.PublicKeyFingerprint(options.PrivateKey));
    }

    [Fact]
    public void The_lambda_path_never_takes_a_passphrase_from_the_environment()
    {
        // In Lambda the PEM comes from an SSM SecureString; a passphrase in a plain variable would be a secret there.
        var ex = Assert.Throws<PipelineException>(() => SnowflakeOptions.FromSettings(
            Env((SettingNames.SnowflakeAccount, "a"), (SettingNames.SnowflakeUser, "u"), (SettingNames.SnowflakeWarehouse, "w"),
                (SettingNames.SnowflakePrivateKeyPassphrase, TestKeys.Passphrase)),
            TestKeys.EncryptedPrivatePem));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("encrypted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_helper_names_a_missing_key_file()
    {
        var ex = Assert.Throws<PipelineException>(() => SnowflakeOptions.FromSettingsWithKeyFile(Env(
            (SettingNames.SnowflakeAccount, "a"), (SettingNames.SnowflakeUser, "u"), (SettingNames.SnowflakeWarehouse, "w"),
            (SettingNames.SnowflakePrivateKeyPath, "/nonexistent/rsa_key.p8"))));
        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("/nonexistent/rsa_key.p8", ex.Message, StringComparison.Ordinal);
    }
}
