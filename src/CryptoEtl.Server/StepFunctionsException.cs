namespace CryptoEtl.Server;

/// <summary>
/// An API error as Step Functions reports it: HTTP 400 with {"__type": name, "message": ...}. The
/// names and message forms are AWS's (botocore's service model lists each action's errors; the
/// messages follow AWS's recordings in LocalStack's tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json).
/// </summary>
public sealed class StepFunctionsException : Exception
{
    public StepFunctionsException(string errorType, string message)
        : base(message)
    {
        ErrorType = errorType;
    }

    public StepFunctionsException()
        : this("ValidationException", "invalid request")
    {
    }

    public StepFunctionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorType = "ValidationException";
    }

    public string ErrorType { get; }

    public static StepFunctionsException InvalidArn(string? arn) => new("InvalidArn", $"Invalid Arn: '{arn}'");

    public static StepFunctionsException StateMachineDoesNotExist(string arn) => new("StateMachineDoesNotExist", $"State Machine Does Not Exist: '{arn}'");

    public static StepFunctionsException ExecutionDoesNotExist(string arn) => new("ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'");

    public static StepFunctionsException ExecutionAlreadyExists(string arn) => new("ExecutionAlreadyExists", $"Execution Already Exists: '{arn}'");

    public static StepFunctionsException InvalidName(string name) => new("InvalidName", $"Invalid Name: '{name}'");

    public static StepFunctionsException InvalidExecutionInput(string detail) => new("InvalidExecutionInput", $"Invalid State Machine Execution Input: '{detail}'");

    public static StepFunctionsException InvalidToken(string token) => new("InvalidToken", $"Invalid Token: '{token}'");

    public static StepFunctionsException Validation(string message) => new("ValidationException", message);
}
