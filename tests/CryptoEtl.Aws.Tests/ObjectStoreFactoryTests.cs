using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Aws.Tests;

public sealed class ObjectStoreFactoryTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Theory]
    [InlineData("s3://my-bucket", "my-bucket", "", "s3://my-bucket")]
    [InlineData("s3://my-bucket/", "my-bucket", "", "s3://my-bucket")]
    [InlineData("s3://my.bucket-1/etl", "my.bucket-1", "etl/", "s3://my.bucket-1/etl")]
    [InlineData(" s3://my-bucket/etl/prod/ ", "my-bucket", "etl/prod/", "s3://my-bucket/etl/prod")]
    public void S3_locations_give_an_S3_store_with_bucket_and_prefix(string location, string bucket, string prefix, string display)
    {
        var store = Assert.IsType<S3ObjectStore>(ObjectStoreFactory.Create(location));

        Assert.Equal(bucket, store.Bucket);
        Assert.Equal(prefix, store.Prefix);
        Assert.Equal(display, store.Location);
        Assert.Equal(ServerSideEncryptionMethod.AES256, store.Options.ServerSideEncryption);
    }

    [Fact]
    public async Task File_uris_and_plain_paths_give_the_folder_store()
    {
        using var temp = new TempDirectory();
        var folder = temp.Combine("objects");

        var fromUri = ObjectStoreFactory.Create(new Uri(folder).AbsoluteUri);
        var fromPath = ObjectStoreFactory.Create(folder);
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
        var store = ObjectStoreFactory.Create(Path.Combine("data", "objects"));

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
        var ex = Assert.Throws<PipelineException>(() => ObjectStoreFactory.Create(location));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        if (!string.IsNullOrWhiteSpace(location))
        {
            Assert.Contains(location, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_S3_client_retries_in_standard_mode_and_an_endpoint_means_path_style()
    {
        var aws = ObjectStoreFactory.CreateS3Config();
        var local = ObjectStoreFactory.CreateS3Config(new Uri("http://127.0.0.1:5000"));

        Assert.Equal(RequestRetryMode.Standard, aws.RetryMode);
        Assert.Equal(ObjectStoreFactory.S3MaxErrorRetry, aws.MaxErrorRetry);
        Assert.False(aws.ForcePathStyle);
        Assert.Null(aws.ServiceURL);
        Assert.True(local.ForcePathStyle);
        Assert.Equal("http://127.0.0.1:5000/", local.ServiceURL);
        Assert.Equal(RequestRetryMode.Standard, local.RetryMode);
    }

    [Fact]
    public async Task An_S3_store_with_an_endpoint_writes_through_the_standard_credential_chain()
    {
        var bucket = await moto.CreateBucketAsync();
        var store = ObjectStoreFactory.Create($"s3://{bucket}/etl", moto.Endpoint);

        await store.PutBytesAsync("raw/a.json", ContentTypes.Json, "{\"a\":1}"u8.ToArray(), CancellationToken.None);

        using var response = await moto.S3.GetObjectAsync(bucket, "etl/raw/a.json");
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        Assert.Equal("{\"a\":1}", await reader.ReadToEndAsync());
        Assert.Equal(ServerSideEncryptionMethod.AES256, response.ServerSideEncryptionMethod);
    }

    [Fact]
    public async Task FromEnvironment_reads_the_store_endpoint_and_encryption_settings()
    {
        var bucket = await moto.CreateBucketAsync();
        var env = new Dictionary<string, string>
        {
            [SettingNames.Store] = $"s3://{bucket}/lambda",
            [SettingNames.S3Endpoint] = moto.Endpoint.AbsoluteUri,
            [SettingNames.S3ServerSideEncryption] = "aws:kms",
            [SettingNames.S3KmsKeyId] = "alias/cryptoetl",
        };

        var store = Assert.IsType<S3ObjectStore>(ObjectStoreFactory.FromEnvironment(env.GetValueOrDefault));
        await store.PutBytesAsync("raw/a.json", ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(bucket, "lambda/raw/a.json");
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
        Assert.Equal("alias/cryptoetl", head.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public void FromEnvironment_with_a_folder_gives_the_folder_store()
    {
        using var temp = new TempDirectory();
        var env = new Dictionary<string, string> { [SettingNames.Store] = temp.FullPath };

        Assert.IsType<FileSystemObjectStore>(ObjectStoreFactory.FromEnvironment(env.GetValueOrDefault));
    }

    [Theory]
    [InlineData(null, null, null, "CRYPTOETL_STORE")]
    [InlineData("s3://b-1", "ftp://127.0.0.1", null, "ftp://127.0.0.1")]
    [InlineData("s3://b-1", null, "DES", "DES")]
    [InlineData("s3://b-1", null, "AES256", "CRYPTOETL_S3_KMS_KEY_ID")]
    public void FromEnvironment_rejects_bad_settings_naming_them(string? store, string? endpoint, string? sse, string named)
    {
        var env = new Dictionary<string, string?>
        {
            [SettingNames.Store] = store,
            [SettingNames.S3Endpoint] = endpoint,
            [SettingNames.S3ServerSideEncryption] = sse,
            [SettingNames.S3KmsKeyId] = sse == "AES256" ? "alias/k" : null,
        };

        var ex = Assert.Throws<PipelineException>(() => ObjectStoreFactory.FromEnvironment(env.GetValueOrDefault));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
