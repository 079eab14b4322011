using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using CryptoEtl.Core;

namespace CryptoEtl.Aws;

/// <summary>
/// Reads secrets from SSM Parameter Store at a Lambda's init. Only SecureString parameters are
/// accepted, so a secret can never sit in plain text there either.
/// </summary>
public sealed class SsmParameterReader : IDisposable
{
    private readonly IAmazonSimpleSystemsManagement _ssm;
    private readonly bool _ownsClient;

    public SsmParameterReader(IAmazonSimpleSystemsManagement ssm)
        : this(ssm, ownsClient: false)
    {
    }

    private SsmParameterReader(IAmazonSimpleSystemsManagement ssm, bool ownsClient)
    {
        _ssm = ssm ?? throw new ArgumentNullException(nameof(ssm));
        _ownsClient = ownsClient;
    }

    /// <summary>A reader over the default credentials and region (in Lambda: the function's role and region).</summary>
    public static SsmParameterReader Create() => new(new AmazonSimpleSystemsManagementClient(), ownsClient: true);

    /// <summary>
    /// The secret in the SecureString parameter whose name the setting <paramref name="parameterSetting"/>
    /// holds (e.g. SNOWFLAKE_PRIVATE_KEY_PARAMETER=/cryptoetl/snowflake-private-key); null when the
    /// setting is unset and not <paramref name="required"/>. SSM is only called when there is a name.
    /// </summary>
    public static async Task<string?> ReadSettingAsync(Func<string, string?> getEnv, string parameterSetting, bool required, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(getEnv);
        var name = getEnv(parameterSetting);
        if (string.IsNullOrWhiteSpace(name))
        {
            return required
                ? throw new PipelineException(ErrorNames.Configuration, $"{parameterSetting} is not set: name the SSM SecureString parameter that holds the secret")
                : null;
        }

        using var reader = Create();
        return await reader.GetSecureStringAsync(name.Trim(), ct);
    }

    /// <summary>The decrypted value of SecureString parameter <paramref name="name"/>.</summary>
    public async Task<string> GetSecureStringAsync(string name, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        GetParameterResponse response;
        try
        {
            response = await _ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, ct);
        }
        catch (ParameterNotFoundException ex)
        {
            throw new PipelineException(ErrorNames.Configuration, $"SSM parameter {name} does not exist", ex);
        }
        catch (AmazonServiceException ex) when (ex.StatusCode is System.Net.HttpStatusCode.Forbidden
            || ex.ErrorCode is "AccessDeniedException" or "InvalidKeyId" or "KMSAccessDeniedException")
        {
            throw new PipelineException(ErrorNames.Configuration, $"no permission to read or decrypt SSM parameter {name}: {ex.ErrorCode}", ex);
        }

        var parameter = response.Parameter;
        if (parameter.Type != ParameterType.SecureString)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"SSM parameter {name} is a {parameter.Type}, not a SecureString; store secrets encrypted");
        }

        return parameter.Value;
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _ssm.Dispose();
        }
    }
}
