using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CryptoEtl.Core;
using CryptoEtl.Testing;

namespace CryptoEtl.Aws.Tests;

/// <summary>
/// A missing object under the pipeline's least-privilege policy (infra/template.yaml: GetObject on
/// one prefix, ListBucket only with an s3:prefix condition). On real S3 a GET or HEAD of a missing
/// key is 404 only when the caller may list the bucket, and 403 AccessDenied otherwise
/// (docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html and API_HeadObject.html,
/// "Permissions"); a ListBucket grant conditioned on s3:prefix does not count for a GET. The store
/// makes both answers the same on read (ObjectNotFound naming both); a HEAD's 403 is a Configuration
/// error, never "absent", so no caller replaces an object it could not see.
/// Against moto_server with IAM enforced (moto's INITIAL_NO_AUTH_ACTION_COUNT). moto evaluates the
/// user's policy for GetObject but answers a missing key 404 whatever ListBucket says, so S3's
/// ListBucket-dependent 403 is reproduced here by the 403 moto gives for a key outside the
/// allowed prefix: the same status and code S3 sends for a missing key.
/// </summary>
public sealed partial class S3AccessPolicyTests
{
    [Fact]
    public async Task A_missing_key_is_object_not_found_whether_s3_answers_404_or_403()
    {
        using var moto = MotoServer.StartOwn();
        var bucket = await moto.CreateBucketAsync();
        await moto.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "processed/a.csv", ContentBody = "x" });
        var user = await CreateUserAsync(moto, bucket);
        await moto.EnforceIamAsync();
        using var s3 = new AmazonS3Client(user, new AmazonS3Config { ServiceURL = moto.Endpoint.AbsoluteUri, ForcePathStyle = true, AuthenticationRegion = MotoServer.Region, MaxErrorRetry = 0 });
        var store = new S3ObjectStore(s3, bucket);

        // Allowed and present: read as usual.
        await using (var present = await store.OpenReadAsync("processed/a.csv", CancellationToken.None))
        {
            Assert.Equal("x", await new StreamReader(present).ReadToEndAsync());
        }

        // 404 NoSuchKey (moto; S3 with ListBucket) and 403 AccessDenied (S3 without ListBucket): one error.
        var notFound = await Assert.ThrowsAsync<PipelineException>(() => store.OpenReadAsync("processed/missing.csv", CancellationToken.None));
        var denied = await Assert.ThrowsAsync<PipelineException>(() => store.OpenReadAsync("raw/2026/11/25/missing.json", CancellationToken.None));

        Assert.Equal(ErrorNames.ObjectNotFound, notFound.ErrorName);
        Assert.Equal(ErrorNames.ObjectNotFound, denied.ErrorName);
        Assert.StartsWith($"no object s3://{bucket}/raw/2026/11/25/missing.json, or not permitted to read it: S3 answered 403 AccessDenied", denied.Message, StringComparison.Ordinal);
        Assert.Null(await store.HeadAsync("processed/missing.csv", CancellationToken.None));
        // A HEAD's 403 is never "absent": a caller that may not read a key must not act as if none were there.
        var head = await Assert.ThrowsAsync<PipelineException>(() => store.HeadAsync("raw/2026/11/25/missing.json", CancellationToken.None));
        Assert.Equal(ErrorNames.Configuration, head.ErrorName);
        Assert.StartsWith($"not permitted to read s3://{bucket}/raw/2026/11/25/missing.json, or it is missing and the caller may not list the bucket: S3 answered 403", head.Message, StringComparison.Ordinal);

        // Writing stays a refused configuration, never "not found".
        var write = await Assert.ThrowsAsync<PipelineException>(() => store.PutBytesAsync("raw/x.json", ContentTypes.Json, "{}"u8.ToArray(), CancellationToken.None));
        Assert.Equal(ErrorNames.Configuration, write.ErrorName);
    }

    // The IAM user Load's role stands for: GetObject on processed/*, ListBucket only for that prefix.
    private static async Task<AWSCredentials> CreateUserAsync(MotoServer moto, string bucket)
    {
        var user = $"loader-{Guid.NewGuid():N}"[..20];
        var policy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new { Effect = "Allow", Action = "s3:GetObject", Resource = $"arn:aws:s3:::{bucket}/processed/*" },
                new
                {
                    Effect = "Allow", Action = "s3:ListBucket", Resource = $"arn:aws:s3:::{bucket}",
                    Condition = new { StringLike = new Dictionary<string, string[]> { ["s3:prefix"] = ["processed/*"] } },
                },
            },
        });
        await IamAsync(moto, new() { ["Action"] = "CreateUser", ["UserName"] = user });
        await IamAsync(moto, new() { ["Action"] = "PutUserPolicy", ["UserName"] = user, ["PolicyName"] = "load", ["PolicyDocument"] = policy });
        var keys = await IamAsync(moto, new() { ["Action"] = "CreateAccessKey", ["UserName"] = user });
        return new BasicAWSCredentials(AccessKeyId().Match(keys).Groups[1].Value, SecretAccessKey().Match(keys).Groups[1].Value);
    }

    // IAM's query API; moto routes it by the credential scope and checks no signature until IAM is enforced.
    private static async Task<string> IamAsync(MotoServer moto, Dictionary<string, string> form)
    {
        form["Version"] = "2010-05-08";
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, moto.Endpoint) { Content = new FormUrlEncodedContent(form) };
        var date = DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={MotoServer.AccessKey}/{date}/{MotoServer.Region}/iam/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"moto IAM {form["Action"]}: {(int)response.StatusCode} {body}");
        return body;
    }

    [GeneratedRegex("<AccessKeyId>([^<]+)</AccessKeyId>")]
    private static partial Regex AccessKeyId();

    [GeneratedRegex("<SecretAccessKey>([^<]+)</SecretAccessKey>")]
    private static partial Regex SecretAccessKey();
}
