using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Testing.Snowflake;

namespace CryptoEtl.Snowflake.Tests;

/// <summary>
/// Every account identifier form Snowflake documents, with the API host it gives and the account
/// the key-pair JWT's iss and sub must name. Expected values come from
/// docs.snowflake.com/en/user-guide/admin-account-identifier (the table "Non-VPS account locator
/// formats by cloud platform and region", the account name section, private connectivity),
/// docs.snowflake.com/en/user-guide/organizations-connect (standard and privatelink URLs) and
/// docs.snowflake.com/en/developer-guide/sql-api/authenticating ("If you are using the account
/// locator, exclude any region information from the account locator"; for a ".global" URL its
/// sample sql-api-generate-jwt.py keeps the part before the hyphen).
/// </summary>
public sealed class SnowflakeAccountTests
{
    [Theory]
    // Format 1: organization and account name (the preferred form).
    [InlineData("myorg-myaccount", "myorg-myaccount.snowflakecomputing.com", "MYORG-MYACCOUNT")]
    [InlineData("MyOrg-MyAccount", "myorg-myaccount.snowflakecomputing.com", "MYORG-MYACCOUNT")]
    // orgname.account_name is the SQL spelling; "replace the period with a hyphen" for clients.
    [InlineData("myorg.myaccount", "myorg-myaccount.snowflakecomputing.com", "MYORG-MYACCOUNT")]
    // An account name with underscores: the URL's dashed twin; the JWT keeps the name.
    [InlineData("acme-marketing_test_account", "acme-marketing-test-account.snowflakecomputing.com", "ACME-MARKETING_TEST_ACCOUNT")]
    [InlineData("acme-test_aws_us_east_2", "acme-test-aws-us-east-2.snowflakecomputing.com", "ACME-TEST_AWS_US_EAST_2")]
    // Format 2: the locator table, AWS.
    [InlineData("xy12345", "xy12345.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-west-2-gov.aws", "xy12345.us-west-2-gov.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.fhplus.us-gov-west-1.aws", "xy12345.fhplus.us-gov-west-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.dod.us-gov-west-1.aws", "xy12345.dod.us-gov-west-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-east-2.aws", "xy12345.us-east-2.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-east-1", "xy12345.us-east-1.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-east-1-gov.aws", "xy12345.us-east-1-gov.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.fhplus.us-gov-east-1.aws", "xy12345.fhplus.us-gov-east-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ca-central-1.aws", "xy12345.ca-central-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.sa-east-1.aws", "xy12345.sa-east-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.eu-west-1", "xy12345.eu-west-1.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.eu-west-2.aws", "xy12345.eu-west-2.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.eu-west-3.aws", "xy12345.eu-west-3.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.eu-central-1", "xy12345.eu-central-1.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.eu-central-2.aws", "xy12345.eu-central-2.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.eu-north-1.aws", "xy12345.eu-north-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-northeast-1.aws", "xy12345.ap-northeast-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-northeast-3.aws", "xy12345.ap-northeast-3.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-northeast-2.aws", "xy12345.ap-northeast-2.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-south-1.aws", "xy12345.ap-south-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-southeast-1.aws", "xy12345.ap-southeast-1.aws.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-southeast-1", "xy12345.ap-southeast-1.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-southeast-2", "xy12345.ap-southeast-2.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.ap-southeast-3.aws", "xy12345.ap-southeast-3.aws.snowflakecomputing.com", "XY12345")]
    // China (Ningxia): "utilizes the snowflakecomputing.cn domain".
    [InlineData("xy12345.cn-northwest-1.aws", "xy12345.cn-northwest-1.aws.snowflakecomputing.cn", "XY12345")]
    // GCP.
    [InlineData("xy12345.us-central1.gcp", "xy12345.us-central1.gcp.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-east4.gcp", "xy12345.us-east4.gcp.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.europe-west2.gcp", "xy12345.europe-west2.gcp.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.europe-west3.gcp", "xy12345.europe-west3.gcp.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.europe-west4.gcp", "xy12345.europe-west4.gcp.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.me-central2.gcp", "xy12345.me-central2.gcp.snowflakecomputing.com", "XY12345")]
    // Azure: region names that end without a digit are the ones the old rule got wrong.
    [InlineData("xy12345.west-us-2.azure", "xy12345.west-us-2.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.central-us.azure", "xy12345.central-us.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.south-central-us.azure", "xy12345.south-central-us.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.east-us-2.azure", "xy12345.east-us-2.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.fhplus.us-gov-virginia.azure", "xy12345.fhplus.us-gov-virginia.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-gov-virginia.azure", "xy12345.us-gov-virginia.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.canada-central.azure", "xy12345.canada-central.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.uk-south.azure", "xy12345.uk-south.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.north-europe.azure", "xy12345.north-europe.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.west-europe.azure", "xy12345.west-europe.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.switzerland-north.azure", "xy12345.switzerland-north.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.uae-north.azure", "xy12345.uae-north.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.central-india.azure", "xy12345.central-india.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.japan-east.azure", "xy12345.japan-east.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.southeast-asia.azure", "xy12345.southeast-asia.azure.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.australia-east.azure", "xy12345.australia-east.azure.snowflakecomputing.com", "XY12345")]
    // Private connectivity (organizations-connect: "<orgname>-<account_name>.privatelink", "<locator>.<region>.<cloud>.privatelink").
    [InlineData("myorg-myaccount.privatelink", "myorg-myaccount.privatelink.snowflakecomputing.com", "MYORG-MYACCOUNT")]
    [InlineData("xy12345.us-east-2.aws.privatelink", "xy12345.us-east-2.aws.privatelink.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.west-europe.azure.privatelink", "xy12345.west-europe.azure.privatelink.snowflakecomputing.com", "XY12345")]
    [InlineData("xy12345.us-east-1.privatelink", "xy12345.us-east-1.privatelink.snowflakecomputing.com", "XY12345")]
    // The replication ("global") URL: <locator>-<id>.global.
    [InlineData("xy12345-abcdefghij.global", "xy12345-abcdefghij.global.snowflakecomputing.com", "XY12345")]
    // Given as a URL or host, as people paste it.
    [InlineData("https://myorg-myaccount.snowflakecomputing.com/", "myorg-myaccount.snowflakecomputing.com", "MYORG-MYACCOUNT")]
    [InlineData("xy12345.north-europe.azure.snowflakecomputing.com", "xy12345.north-europe.azure.snowflakecomputing.com", "XY12345")]
    public void Each_documented_form_gives_its_host_and_jwt_account(string account, string host, string jwtAccount)
    {
        Assert.Equal($"https://{host}/", SnowflakeAccount.DefaultBaseUrl(account).AbsoluteUri);
        Assert.Equal(jwtAccount, SnowflakeAccount.ForJwt(account));

        // The token itself: sub = ACCOUNT.USER, iss = ACCOUNT.USER.SHA256:fingerprint.
        using var key = KeyPairJwt.ReadPrivateKey(TestKeys.PrivatePem, null, "test");
        var jwt = new KeyPairJwt(account, "crypto_etl_loader_user", key, new SteppingTimeProvider(DateTimeOffset.UnixEpoch));
        using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Token().Split('.')[1]));
        Assert.Equal($"{jwtAccount}.CRYPTO_ETL_LOADER_USER", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal($"{jwtAccount}.CRYPTO_ETL_LOADER_USER.{TestKeys.OpensslFingerprint}", claims.RootElement.GetProperty("iss").GetString());
    }

    [Theory]
    [InlineData("xy12345.not-a-region.aws.extra.more")]
    [InlineData("my org-account")]
    [InlineData("a..b")]
    [InlineData("xy12345.us-east-2.ibm")]
    public void Anything_else_is_a_configuration_error_naming_the_value(string account)
    {
        var ex = Assert.Throws<PipelineException>(() => SnowflakeAccount.DefaultBaseUrl(account));
        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(account, ex.Message, StringComparison.Ordinal);
        Assert.Contains(SettingNames.SnowflakeAccount, ex.Message, StringComparison.Ordinal);
    }
}
