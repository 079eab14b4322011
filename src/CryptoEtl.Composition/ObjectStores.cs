using System.Text.RegularExpressions;
using CryptoEtl.Aws;
using CryptoEtl.Core;
using CryptoEtl.FileSystem;

namespace CryptoEtl.Composition;

/// <summary>
/// Turns the one store setting (CLI --store, Lambda CRYPTOETL_STORE) into a store:
/// s3://bucket[/prefix] is S3 (CryptoEtl.Aws), file:///path or a plain folder path is the folder
/// store (CryptoEtl.FileSystem). The choice lives here, in the composition root, so neither adapter knows the other.
/// </summary>
public static partial class ObjectStores
{
    /// <summary>The store at <paramref name="location"/> with default S3 settings (SSE AES256).</summary>
    /// <param name="location">s3://bucket[/prefix], file:///path or a folder path.</param>
    /// <param name="s3Endpoint">An S3-compatible endpoint (implies path-style addressing); null for AWS.</param>
    public static IObjectStore Create(string location, Uri? s3Endpoint = null) =>
        Create(location, s3Endpoint, S3ObjectStoreOptions.Default);

    public static IObjectStore Create(string location, Uri? s3Endpoint, S3ObjectStoreOptions s3Options)
    {
        ArgumentNullException.ThrowIfNull(s3Options);
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new PipelineException(ErrorNames.Configuration, $"no object store given (set --store or {SettingNames.Store})");
        }

        location = location.Trim();
        if (S3ObjectStoreFactory.IsS3Location(location))
        {
            return S3ObjectStoreFactory.Create(location, s3Endpoint, s3Options);
        }

        if (location.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || !uri.IsFile || !string.IsNullOrEmpty(uri.Host))
            {
                throw new PipelineException(ErrorNames.Configuration, $"object store \"{location}\" is not a local file:///path URI");
            }

            return new FileSystemObjectStore(uri.LocalPath);
        }

        if (UriScheme().IsMatch(location))
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"object store \"{location}\" is not s3://bucket[/prefix], file:///path or a folder path");
        }

        return new FileSystemObjectStore(location);
    }

    /// <summary>
    /// The store the settings name: CRYPTOETL_STORE (required), CRYPTOETL_S3_ENDPOINT,
    /// CRYPTOETL_S3_SSE and CRYPTOETL_S3_KMS_KEY_ID. What a Lambda function calls at start.
    /// </summary>
    public static IObjectStore FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var location = setting(SettingNames.Store);
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new PipelineException(ErrorNames.Configuration, $"{SettingNames.Store} is not set");
        }

        return Create(location, S3ObjectStoreFactory.ParseEndpoint(setting(SettingNames.S3Endpoint)), S3ObjectStoreOptions.FromSettings(setting));
    }

    // Two letters at least, so a Windows drive ("C:\data") stays a path.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex UriScheme();
}
