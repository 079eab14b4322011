using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Aws.Tests;

/// <summary>The store against moto_server on 127.0.0.1: each test in a bucket of its own.</summary>
public sealed class S3ObjectStoreTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string RawKey = "raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json";
    private const string CsvKey = "processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.csv";
    private const int MiB = 1024 * 1024;

    private async Task<S3ObjectStore> NewStoreAsync(string prefix = "", S3ObjectStoreOptions? options = null) =>
        new(moto.S3, await moto.CreateBucketAsync(), prefix, options);

    [Fact]
    public async Task Put_writes_under_the_prefix_with_the_content_type_and_reads_back()
    {
        var store = await NewStoreAsync("/etl/run1/");
        var content = Encoding.UTF8.GetBytes("{\"metadata\":{}}");

        await store.PutBytesAsync(RawKey, ContentTypes.Json, content, CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, "etl/run1/" + RawKey);
        Assert.Equal(ContentTypes.Json, head.Headers.ContentType);
        Assert.Equal(content.Length, head.ContentLength);
        Assert.Equal(content, await store.ReadAllBytesAsync(RawKey, CancellationToken.None));
        Assert.Equal($"s3://{store.Bucket}/etl/run1", store.Location);
        Assert.Equal("etl/run1/", store.Prefix);
    }

    [Fact]
    public async Task Without_a_prefix_keys_are_the_bucket_keys()
    {
        var store = await NewStoreAsync();

        await store.PutBytesAsync(CsvKey, ContentTypes.Csv, "fetch_time\n"u8.ToArray(), CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, CsvKey);
        Assert.Equal(ContentTypes.Csv, head.Headers.ContentType);
        Assert.Equal($"s3://{store.Bucket}", store.Location);
    }

    [Fact]
    public async Task Puts_ask_for_AES256_server_side_encryption_by_default()
    {
        var store = await NewStoreAsync();

        await store.PutBytesAsync(RawKey, ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, RawKey);
        Assert.Equal(ServerSideEncryptionMethod.AES256, head.ServerSideEncryptionMethod);
    }

    [Fact]
    public async Task Puts_use_aws_kms_with_the_configured_key()
    {
        const string keyId = "arn:aws:kms:us-east-1:123456789012:key/cryptoetl-test";
        var store = await NewStoreAsync(options: new S3ObjectStoreOptions { ServerSideEncryption = ServerSideEncryptionMethod.AWSKMS, KmsKeyId = keyId });

        await store.PutBytesAsync(RawKey, ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, RawKey);
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
        Assert.Equal(keyId, head.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public async Task Encryption_none_sends_no_encryption_header()
    {
        var store = await NewStoreAsync(options: new S3ObjectStoreOptions { ServerSideEncryption = ServerSideEncryptionMethod.None });

        await store.PutBytesAsync(RawKey, ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, RawKey);
        Assert.True(head.ServerSideEncryptionMethod is null || head.ServerSideEncryptionMethod == ServerSideEncryptionMethod.None,
            $"expected no SSE, got {head.ServerSideEncryptionMethod}");
    }

    [Fact]
    public async Task Reading_a_missing_key_is_ObjectNotFound_naming_the_s3_uri()
    {
        var store = await NewStoreAsync("etl");

        var ex = await Assert.ThrowsAsync<PipelineException>(() => store.OpenReadAsync("raw/missing.json", CancellationToken.None));

        Assert.Equal(ErrorNames.ObjectNotFound, ex.ErrorName);
        Assert.Contains($"s3://{store.Bucket}/etl/raw/missing.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bucket_is_a_configuration_error_naming_it()
    {
        var store = new S3ObjectStore(moto.S3, "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => store.PutBytesAsync(RawKey, ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains(store.Bucket, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/raw/x.json")]
    [InlineData("raw//x.json")]
    [InlineData("raw/../x.json")]
    [InlineData("")]
    public async Task Invalid_keys_are_rejected_before_calling_S3(string key)
    {
        var store = await NewStoreAsync();

        var ex = await Assert.ThrowsAsync<PipelineException>(() => store.HeadAsync(key, CancellationToken.None));

        Assert.Equal(ErrorNames.InvalidInput, ex.ErrorName);
    }

    [Fact]
    public async Task Head_gives_size_type_and_time_or_null_when_missing()
    {
        var store = await NewStoreAsync("etl");
        await store.PutBytesAsync(CsvKey, ContentTypes.Csv, "a,b\n1,2\n"u8.ToArray(), CancellationToken.None);

        var info = await store.HeadAsync(CsvKey, CancellationToken.None);
        var missing = await store.HeadAsync("processed/none.csv", CancellationToken.None);

        Assert.NotNull(info);
        Assert.Equal(CsvKey, info.Key);
        Assert.Equal(8, info.Size);
        Assert.Equal(ContentTypes.Csv, info.ContentType);
        var s3Head = await moto.S3.GetObjectMetadataAsync(store.Bucket, "etl/" + CsvKey);
        Assert.Equal(new DateTimeOffset(s3Head.LastModified!.Value.ToUniversalTime()), info.LastModified);
        Assert.Null(missing);
    }

    [Fact]
    public async Task List_follows_continuation_past_1000_keys_in_key_order_without_the_store_prefix()
    {
        var store = await NewStoreAsync("etl");
        var keys = Enumerable.Range(0, 1_234).Select(i => $"raw/2026/11/25/{i:D5}.json").ToList();
        await Parallel.ForEachAsync(keys.Append("processed/2026/11/25/other.csv").Append("rawish.json"), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, ct) => await moto.S3.PutObjectAsync(new PutObjectRequest { BucketName = store.Bucket, Key = "etl/" + key, ContentBody = key }, ct));

        var listed = await store.ListAsync("raw/", CancellationToken.None).ToListAsync();

        Assert.Equal(keys, listed.Select(o => o.Key));
        Assert.Equal(keys[7].Length, listed[7].Size);
    }

    [Fact]
    public async Task A_20_MB_object_goes_up_in_parts_and_round_trips_byte_for_byte()
    {
        var store = await NewStoreAsync("big");
        var content = new byte[20_000_000];
        new Random(20261125).NextBytes(content);

        await store.PutAsync(RawKey, ContentTypes.Json, async (stream, ct) =>
        {
            // Uneven writes, so parts are cut inside a write.
            for (var offset = 0; offset < content.Length; offset += 1_000_003)
            {
                await stream.WriteAsync(content.AsMemory(offset, Math.Min(1_000_003, content.Length - offset)), ct);
            }
        }, CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, "big/" + RawKey);
        Assert.EndsWith("-3\"", head.ETag, StringComparison.Ordinal); // 8 + 8 + 3.07 MiB
        Assert.Equal(ServerSideEncryptionMethod.AES256, head.ServerSideEncryptionMethod);
        Assert.Equal(ContentTypes.Json, head.Headers.ContentType);
        await using var read = await store.OpenReadAsync(RawKey, CancellationToken.None);
        Assert.Equal(content.Length, read.Length);
        Assert.Equal(SHA256.HashData(content), await SHA256.HashDataAsync(read));
    }

    [Fact]
    public async Task An_object_of_exactly_one_part_is_a_single_put()
    {
        var options = new S3ObjectStoreOptions { PartSize = S3ObjectStoreOptions.MinPartSize };
        var store = await NewStoreAsync(options: options);
        var content = new byte[options.PartSize];
        new Random(7).NextBytes(content);

        await store.PutBytesAsync(RawKey, ContentTypes.Json, content, CancellationToken.None);

        var head = await moto.S3.GetObjectMetadataAsync(store.Bucket, RawKey);
        Assert.DoesNotContain("-", head.ETag, StringComparison.Ordinal);
        Assert.Equal(content, await store.ReadAllBytesAsync(RawKey, CancellationToken.None));
    }

    [Fact]
    public async Task A_writer_failing_mid_multipart_leaves_the_old_object_and_no_upload()
    {
        var store = await NewStoreAsync();
        await store.PutBytesAsync(RawKey, ContentTypes.Json, "{\"old\":true}"u8.ToArray(), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutAsync(RawKey, ContentTypes.Json, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[12 * MiB], ct);
            throw new InvalidOperationException("CoinGecko went away");
        }, CancellationToken.None));

        Assert.Equal("CoinGecko went away", ex.Message);
        Assert.Equal("{\"old\":true}"u8.ToArray(), await store.ReadAllBytesAsync(RawKey, CancellationToken.None));
        await AssertNoMultipartUploadsAsync(store.Bucket);
    }

    [Fact]
    public async Task A_writer_failing_on_a_new_key_leaves_no_object()
    {
        var store = await NewStoreAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutAsync(RawKey, ContentTypes.Json, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[12 * MiB], ct);
            throw new InvalidOperationException("boom");
        }, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutAsync(CsvKey, ContentTypes.Csv, async (stream, ct) =>
        {
            await stream.WriteAsync("fetch_time,"u8.ToArray(), ct);
            throw new InvalidOperationException("boom");
        }, CancellationToken.None));

        Assert.Null(await store.HeadAsync(RawKey, CancellationToken.None));
        Assert.Null(await store.HeadAsync(CsvKey, CancellationToken.None));
        Assert.Empty(await store.ListAsync("", CancellationToken.None).ToListAsync());
        await AssertNoMultipartUploadsAsync(store.Bucket);
    }

    [Fact]
    public async Task A_put_cancelled_mid_multipart_aborts_the_upload()
    {
        var store = await NewStoreAsync();
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync(RawKey, ContentTypes.Json, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[9 * MiB], ct);
            await cts.CancelAsync();
            await stream.WriteAsync(new byte[9 * MiB], ct);
        }, cts.Token));

        Assert.Null(await store.HeadAsync(RawKey, CancellationToken.None));
        await AssertNoMultipartUploadsAsync(store.Bucket);
    }

    [Fact]
    public async Task A_writer_that_disposes_the_stream_still_completes_the_put()
    {
        var store = await NewStoreAsync();

        await store.PutAsync(CsvKey, ContentTypes.Csv, async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync("fetch_time,id\n2026-11-25T12:00:00Z,bitcoin\n");
        }, CancellationToken.None);

        Assert.Equal("fetch_time,id\n2026-11-25T12:00:00Z,bitcoin\n", Encoding.UTF8.GetString(await store.ReadAllBytesAsync(CsvKey, CancellationToken.None)));
    }

    [Fact]
    public async Task An_empty_object_is_stored()
    {
        var store = await NewStoreAsync();

        await store.PutAsync(CsvKey, ContentTypes.Csv, (_, _) => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(0, (await store.HeadAsync(CsvKey, CancellationToken.None))?.Size);
    }

    private async Task AssertNoMultipartUploadsAsync(string bucket)
    {
        var uploads = await moto.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    /// <summary>S3's conditional write (If-None-Match: *): a key is created once; after a delete, again.</summary>
    [Fact]
    public async Task TryCreate_writes_only_an_absent_key_and_delete_frees_it()
    {
        var store = await NewStoreAsync();

        Assert.True(await store.TryCreateAsync("locks/extract.json", ContentTypes.Json, "{\"a\":1}"u8.ToArray(), default));
        Assert.False(await store.TryCreateAsync("locks/extract.json", ContentTypes.Json, "{\"a\":2}"u8.ToArray(), default));
        Assert.Equal("{\"a\":1}", System.Text.Encoding.UTF8.GetString(await store.ReadAllBytesAsync("locks/extract.json", default)));

        await store.DeleteAsync("locks/extract.json", default);
        await store.DeleteAsync("locks/extract.json", default);
        Assert.True(await store.TryCreateAsync("locks/extract.json", ContentTypes.Json, "{\"a\":3}"u8.ToArray(), default));
    }
}
