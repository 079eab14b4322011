using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Aws.Tests;

public sealed class S3ObjectStoreTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string RawKey = "raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json";

    private async Task<S3ObjectStore> NewStoreAsync(string prefix = "", S3ObjectStoreOptions? options = null) =>
        new(moto.S3, await moto.CreateBucketAsync(), prefix, options);

    [Fact]
    public async Task Put_writes_under_the_prefix_with_the_content_type_and_reads_back()
    {
        var store = await NewStoreAsync("etl/run1/");
        var content = Encoding.UTF8.GetBytes("{\"metadata\":{}}");

        await store.PutBytesAsync(RawKey, ContentTypes.Json, content, CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, "etl/run1/" + RawKey);
        Assert.Equal(ContentTypes.Json, head.Headers.ContentType);
        Assert.Equal(content.Length, head.ContentLength);
        Assert.Equal(content, await store.ReadAllBytesAsync(RawKey, CancellationToken.None));
        Assert.Equal($"s3://{store.Bucket}/etl/run1", store.Location);
    }
}
