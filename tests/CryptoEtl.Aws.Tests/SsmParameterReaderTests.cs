using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Aws.Tests;

public sealed class SsmParameterReaderTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly IAmazonSimpleSystemsManagement _ssm = moto.Ssm;

    private readonly string _prefix = $"/cryptoetl-test/{Guid.NewGuid():N}";

    [Fact]
    public async Task Reads_a_SecureString_decrypted()
    {
        const string pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
        await PutAsync($"{_prefix}/snowflake-key", pem, ParameterType.SecureString);
        using var reader = new SsmParameterReader(_ssm);

        Assert.Equal(pem, await reader.GetSecureStringAsync($"{_prefix}/snowflake-key", CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_parameter_is_a_configuration_error_naming_it()
    {
        using var reader = new SsmParameterReader(_ssm);

        var error = await Assert.ThrowsAsync<PipelineException>(() => reader.GetSecureStringAsync($"{_prefix}/nothing", CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, error.ErrorName);
        Assert.Equal($"SSM parameter {_prefix}/nothing does not exist", error.Message);
    }

    [Fact]
    public async Task A_plain_String_parameter_is_refused_without_showing_its_value()
    {
        await PutAsync($"{_prefix}/plain", "s3cr3t-value", ParameterType.String);
        using var reader = new SsmParameterReader(_ssm);

        var error = await Assert.ThrowsAsync<PipelineException>(() => reader.GetSecureStringAsync($"{_prefix}/plain", CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, error.ErrorName);
        Assert.Contains("is a String, not a SecureString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setting_that_names_no_parameter_is_null_when_optional_and_an_error_when_required()
    {
        static string? NoSettings(string name) => null;

        Assert.Null(await SsmParameterReader.ReadSettingAsync(NoSettings, SettingNames.CoinGeckoApiKeyParameter, required: false, CancellationToken.None));
        var error = await Assert.ThrowsAsync<PipelineException>(() =>
            SsmParameterReader.ReadSettingAsync(NoSettings, SettingNames.SnowflakePrivateKeyParameter, required: true, CancellationToken.None));
        Assert.Equal(ErrorNames.Configuration, error.ErrorName);
        Assert.StartsWith($"{SettingNames.SnowflakePrivateKeyParameter} is not set", error.Message, StringComparison.Ordinal);
    }

    private Task<PutParameterResponse> PutAsync(string name, string value, ParameterType type) =>
        _ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = value, Type = type, Overwrite = true });
}
