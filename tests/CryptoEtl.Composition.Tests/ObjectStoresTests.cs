using Amazon.S3;
using CryptoEtl.Aws;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;
using CryptoEtl.Testing;

namespace CryptoEtl.Composition.Tests;

/// <summary>The composition root's choice of store from the one store setting (moved from the AWS adapter's factory tests).</summary>
public sealed class ObjectStoresTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public void An_S3_location_gives_the_S3_store()
    {
        var store = Assert.IsType<S3ObjectStore>(ObjectStores.Create("s3://my-bucket/etl"));

        Assert.Equal("my-bucket", store.Bucket);
        Assert.Equal("etl/", store.Prefix);
        Assert.True(store.CloudServicesCanRead);
    }

    [Fact]
    public async Task File_uris_and_plain_paths_give_the_folder_store()
    {
        using var temp = new TempDirectory();
        var folder = temp.Combine("objects");

        var fromUri = ObjectStores.Create(new Uri(folder).AbsoluteUri);
        var fromPath = ObjectStores.Create(folder);
        await fromUri.PutBytesAsync("raw/a.json", ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None);

        Assert.IsType<FileSystemObjectStore>(fromUri);
        Assert.IsType<FileSystemObjectStore>(fromPath);
        Assert.Equal(fromUri.Location, fromPath.Location);
        Assert.True(File.Exists(Path.Combine(folder, "raw", "a.json")));
        Assert.NotNull(await fromPath.HeadAsync("raw/a.json", CancellationToken.None));
    }

    [Fact]
    public void A_relative_path_is_a_folder_under_the_current_directory()
    {
        var store = ObjectStores.Create(Path.Combine("data", "objects"));

        Assert.Equal(new Uri(Path.Combine(Environment.CurrentDirectory, "data", "objects") + "/").AbsoluteUri, store.Location);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("s3://")]
    [InlineData("s3:///etl")]
    [InlineData("s3://Bad_Bucket/etl")]
    [InlineData("s3://my-bucket/etl//prod")]
    [InlineData("s3://my-bucket/../etl")]
    [InlineData("gs://my-bucket/etl")]
    [InlineData("https://my-bucket.s3.amazonaws.com/etl")]
    [InlineData("file://server/share/objects")]
    public void Unusable_locations_are_configuration_errors_naming_them(string location)
    {
        var ex = Assert.Throws<PipelineException>(() => ObjectStores.Create(location));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        if (!string.IsNullOrWhiteSpace(location))
        {
            Assert.Contains(location, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FromSettings_reads_the_store_endpoint_and_encryption_settings()
    {
        var bucket = await moto.CreateBucketAsync();
        var env = new Dictionary<string, string>
        {
            [SettingNames.Store] = $"s3://{bucket}/lambda",
            [SettingNames.S3Endpoint] = moto.Endpoint.AbsoluteUri,
            [SettingNames.S3ServerSideEncryption] = "aws:kms",
            [SettingNames.S3KmsKeyId] = "alias/cryptoetl",
        };

        var store = Assert.IsType<S3ObjectStore>(ObjectStores.FromSettings(env.GetValueOrDefault));
        await store.PutBytesAsync("raw/a.json", ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(bucket, "lambda/raw/a.json");
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
        Assert.Equal("alias/cryptoetl", head.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public void FromSettings_with_a_folder_gives_the_folder_store()
    {
        using var temp = new TempDirectory();
        var env = new Dictionary<string, string> { [SettingNames.Store] = temp.FullPath };

        Assert.IsType<FileSystemObjectStore>(ObjectStores.FromSettings(env.GetValueOrDefault));
    }

    [Theory]
    [InlineData(null, null, null, "CRYPTOETL_STORE")]
    [InlineData("s3://b-1", "ftp://127.0.0.1", null, "ftp://127.0.0.1")]
    [InlineData("s3://b-1", null, "DES", "DES")]
    [InlineData("s3://b-1", null, "AES256", "CRYPTOETL_S3_KMS_KEY_ID")]
    public void FromSettings_rejects_bad_settings_naming_them(string? store, string? endpoint, string? sse, string named)
    {
        var env = new Dictionary<string, string?>
        {
            [SettingNames.Store] = store,
            [SettingNames.S3Endpoint] = endpoint,
            [SettingNames.S3ServerSideEncryption] = sse,
            [SettingNames.S3KmsKeyId] = sse == "AES256" ? "alias/k" : null,
        };

        var ex = Assert.Throws<PipelineException>(() => ObjectStores.FromSettings(env.GetValueOrDefault));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
