namespace CryptoEtl.Core;

/// <summary>A failure with a name from <see cref="ErrorNames"/> and a message a person can act on.</summary>
public class PipelineException : Exception
{
    public PipelineException(string errorName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        if (!ErrorNames.All.Contains(errorName))
        {
            throw new ArgumentException($"unknown error name {errorName}", nameof(errorName));
        }

        ErrorName = errorName;
    }

    public PipelineException()
        : this(ErrorNames.InvalidInput, "invalid input")
    {
    }

    public PipelineException(string message)
        : this(ErrorNames.InvalidInput, message)
    {
    }

    public PipelineException(string message, Exception innerException)
        : this(ErrorNames.InvalidInput, message, innerException)
    {
    }

    public string ErrorName { get; }

    public bool IsTransient => ErrorNames.IsTransient(ErrorName);
}
