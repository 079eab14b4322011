using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using CryptoEtl.Core;
using CryptoEtl.Testing;
using Microsoft.AspNetCore.Http;

namespace CryptoEtl.Aws.Tests;

/// <summary>
/// How S3's failures reach the pipeline, against a local server that answers like S3 does. The
/// clients here do not retry, so each test sees S3's first answer (retrying is the SDK's job and
/// its configuration is checked in S3ObjectStoreFactoryTests).
/// </summary>
public sealed class S3FailureTests
{
    private const string Key = "raw/2026/11/25/x.json";

    [Theory]
    [InlineData(503, "SlowDown")]
    [InlineData(500, "InternalError")]
    [InlineData(429, "TooManyRequests")]
    public async Task Throttling_and_server_errors_are_StorageUnavailable(int status, string code)
    {
        await using var server = await LocalHttpServer.StartAsync(context => S3ErrorAsync(context, status, code));
        var store = StoreAt(server.BaseAddress, "etl");

        var read = await Assert.ThrowsAsync<PipelineException>(() => store.OpenReadAsync(Key, CancellationToken.None));
        var write = await Assert.ThrowsAsync<PipelineException>(() => store.PutBytesAsync(Key, ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None));
        var list = await Assert.ThrowsAsync<PipelineException>(async () => await store.ListAsync("raw/", CancellationToken.None).ToListAsync());

        Assert.All([read, write, list], ex => Assert.Equal(ErrorNames.StorageUnavailable, ex.ErrorName));
        Assert.Contains("s3://bucket-1/etl/raw/2026/11/25/x.json", read.Message, StringComparison.Ordinal);
        Assert.Contains(code, write.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_denied_is_a_configuration_error()
    {
        await using var server = await LocalHttpServer.StartAsync(context => S3ErrorAsync(context, 403, "AccessDenied"));
        var store = StoreAt(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<PipelineException>(() => store.PutBytesAsync(Key, ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal(ErrorNames.Configuration, ex.ErrorName);
        Assert.Contains("AccessDenied", ex.Message, StringComparison.Ordinal);
        Assert.Contains("s3://bucket-1/" + Key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_StorageUnavailable()
    {
        var store = StoreAt(new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var ex = await Assert.ThrowsAsync<PipelineException>(() => store.HeadAsync(Key, CancellationToken.None));

        Assert.Equal(ErrorNames.StorageUnavailable, ex.ErrorName);
    }

    [Fact]
    public async Task A_connection_dropped_mid_object_is_StorageUnavailable_naming_the_object()
    {
        await using var server = await LocalHttpServer.StartAsync(async context =>
        {
            context.Response.ContentType = ContentTypes.Json;
            context.Response.ContentLength = 1_000_000;
            await context.Response.Body.WriteAsync(new byte[64 * 1024]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        var store = StoreAt(server.BaseAddress);

        await using var stream = await store.OpenReadAsync(Key, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<PipelineException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Equal(ErrorNames.StorageUnavailable, ex.ErrorName);
        Assert.Contains("s3://bucket-1/" + Key, ex.Message, StringComparison.Ordinal);
    }

    private static S3ObjectStore StoreAt(Uri endpoint, string prefix = "")
    {
        var config = S3ObjectStoreFactory.CreateS3Config(endpoint);
        config.MaxErrorRetry = 0;
        return new S3ObjectStore(new AmazonS3Client(MotoServer.Credentials, config), "bucket-1", prefix);
    }

    private static async Task S3ErrorAsync(HttpContext context, int status, string code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>test {code}</Message><RequestId>r1</RequestId></Error>");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
