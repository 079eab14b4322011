using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Aws.Tests;

public sealed class S3ObjectStoreFactoryTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Theory]
    [InlineData("s3://my-bucket", "my-bucket", "", "s3://my-bucket")]
    [InlineData("s3://my-bucket/", "my-bucket", "", "s3://my-bucket")]
    [InlineData("s3://my.bucket-1/etl", "my.bucket-1", "etl/", "s3://my.bucket-1/etl")]
    [InlineData(" s3://my-bucket/etl/prod/ ", "my-bucket", "etl/prod/", "s3://my-bucket/etl/prod")]
    public void S3_locations_give_an_S3_store_with_bucket_and_prefix(string location, string bucket, string prefix, string display)
    {
        var store = Assert.IsType<S3ObjectStore>(S3ObjectStoreFactory.Create(location));

        Assert.Equal(bucket, store.Bucket);
        Assert.Equal(prefix, store.Prefix);
        Assert.Equal(display, store.Location);
        Assert.Equal(ServerSideEncryptionMethod.AES256, store.Options.ServerSideEncryption);
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///etl")]
    [InlineData("s3://Bad_Bucket/etl")]
    [InlineData("s3://my-bucket/etl//prod")]
    [InlineData("s3://my-bucket/../etl")]
    [InlineData("/data/objects")]
    public void Locations_that_are_not_an_S3_bucket_and_prefix_are_configuration_errors_naming_them(string location)
    {
        var ex = Assert.Throws<PipelineException>(() => S3ObjectStoreFactory.Create(location));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(location, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_S3_client_retries_in_standard_mode_and_an_endpoint_means_path_style()
    {
        var aws = S3ObjectStoreFactory.CreateS3Config();
        var local = S3ObjectStoreFactory.CreateS3Config(new Uri("http://127.0.0.1:5000"));

        Assert.Equal(RequestRetryMode.Standard, aws.RetryMode);
        Assert.Equal(S3ObjectStoreFactory.S3MaxErrorRetry, aws.MaxErrorRetry);
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
        var store = S3ObjectStoreFactory.Create($"s3://{bucket}/etl", moto.Endpoint);

        await store.PutBytesAsync("raw/a.json", ContentTypes.Json, "{\"a\":1}"u8.ToArray(), CancellationToken.None);

        using var response = await moto.S3.GetObjectAsync(bucket, "etl/raw/a.json");
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        Assert.Equal("{\"a\":1}", await reader.ReadToEndAsync());
        Assert.Equal(ServerSideEncryptionMethod.AES256, response.ServerSideEncryptionMethod);
    }
}
