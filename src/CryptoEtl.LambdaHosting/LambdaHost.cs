using System.Text.Json;
using CryptoEtl.Core;

namespace CryptoEtl.LambdaHosting;

/// <summary>
/// The custom runtime's loop: init once, then GET /next, run the handler, POST its response or
/// its error, forever. Returns the process exit code when it cannot go on.
/// </summary>
public static class LambdaHost
{
    public const int ExitInitFailed = 1;
    public const int ExitRuntimeApiFailed = 2;

    public static async Task<int> RunAsync<TIn, TOut>(
        LambdaFunction<TIn, TOut> function, LambdaHostOptions options, CancellationToken stoppingToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(options);
        var time = options.Time;
        var logger = new LambdaLogger(options.Output, time);
        if (string.IsNullOrWhiteSpace(options.RuntimeApi))
        {
            logger.Error($"{LambdaHostOptions.RuntimeApiVariable} is not set: this program runs inside AWS Lambda (or an emulator of its Runtime API)");
            return ExitInitFailed;
        }

        using var runtime = new RuntimeApiClient(options.RuntimeApi);
        var handler = await InitializeAsync(function, runtime, logger, options, stoppingToken);
        return handler is null ? ExitInitFailed : await LoopAsync(function, handler, runtime, logger, options, stoppingToken);
    }

    /// <summary>The function's init, logged with its time; null, with the error posted to /init/error, when it failed.</summary>
    private static async Task<Func<TIn, LambdaContext, CancellationToken, Task<TOut>>?> InitializeAsync<TIn, TOut>(
        LambdaFunction<TIn, TOut> function, RuntimeApiClient runtime, LambdaLogger logger, LambdaHostOptions options, CancellationToken stoppingToken)
    {
        var time = options.Time;
        var started = time.GetTimestamp();
        Func<TIn, LambdaContext, CancellationToken, Task<TOut>> handler;
        try
        {
            handler = await function.Initialize(logger, stoppingToken);
        }
        catch (Exception ex)
        {
            var error = LambdaError.From(ex);
            logger.Error("init failed", new LogField("step", function.Name), new LogField("errorType", error.ErrorType), new LogField("errorMessage", error.ErrorMessage));
            await TryAsync(() => runtime.PostInitErrorAsync(error, CancellationToken.None), logger);
            return null;
        }

        logger.Info("init done", new LogField("step", function.Name), new LogField("initMs", time.GetElapsedTime(started).TotalMilliseconds),
            new LogField("function", options.Function.FunctionName), new LogField("version", options.Function.FunctionVersion),
            new LogField("memoryMb", options.Function.MemoryLimitMb));
        return handler;
    }

    /// <summary>GET /next and invoke, until stopped (0) or the Runtime API fails (<see cref="ExitRuntimeApiFailed"/>).</summary>
    private static async Task<int> LoopAsync<TIn, TOut>(
        LambdaFunction<TIn, TOut> function,
        Func<TIn, LambdaContext, CancellationToken, Task<TOut>> handler,
        RuntimeApiClient runtime,
        LambdaLogger logger,
        LambdaHostOptions options,
        CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Invocation invocation;
            try
            {
                invocation = await runtime.NextAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException)
            {
                logger.Error("the Runtime API failed; exiting", new LogField("error", ex.Message));
                return ExitRuntimeApiFailed;
            }

            try
            {
                await InvokeAsync(function, handler, invocation, runtime, logger, options, stoppingToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException)
            {
                logger.Error("could not report the invocation's outcome; exiting", new LogField("error", ex.Message));
                return ExitRuntimeApiFailed;
            }
            finally
            {
                logger.RequestId = null;
            }
        }

        return 0;
    }

    private static async Task InvokeAsync<TIn, TOut>(
        LambdaFunction<TIn, TOut> function,
        Func<TIn, LambdaContext, CancellationToken, Task<TOut>> handler,
        Invocation invocation,
        RuntimeApiClient runtime,
        LambdaLogger logger,
        LambdaHostOptions options,
        CancellationToken stoppingToken)
    {
        var time = options.Time;
        var started = time.GetTimestamp();
        logger.RequestId = invocation.RequestId;
        // The X-Ray SDK and the AWS SDK read the trace header from here.
        Environment.SetEnvironmentVariable(LambdaHostOptions.TraceIdVariable, invocation.TraceId);

        var untilCancel = invocation.Deadline - time.GetUtcNow() - options.CancellationMargin;
        using var deadline = new CancellationTokenSource(untilCancel > TimeSpan.Zero ? untilCancel : TimeSpan.Zero, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stoppingToken);
        var context = new LambdaContext(invocation, options.Function, logger, time);

        byte[] response;
        TOut output;
        try
        {
            var input = StepInputJson.Parse(invocation.Payload, function.Input, "the event");
            output = await handler(input, context, linked.Token);
            response = JsonSerializer.SerializeToUtf8Bytes(output, function.Output);
        }
        catch (Exception ex)
        {
            var error = LambdaError.From(ex, deadline.IsCancellationRequested);
            logger.Error("invocation failed", new LogField("step", function.Name), new LogField("errorType", error.ErrorType),
                new LogField("errorMessage", error.ErrorMessage), new LogField("durationMs", time.GetElapsedTime(started).TotalMilliseconds));
            await runtime.PostErrorAsync(invocation.RequestId, error, CancellationToken.None);
            return;
        }

        // Logs and metrics go out before the response: Lambda may freeze the process once it has it.
        var durationMs = time.GetElapsedTime(started).TotalMilliseconds;
        logger.Info("invocation done", new LogField("step", function.Name), new LogField("durationMs", durationMs));
        List<Metric> metrics = [.. function.Metrics?.Invoke(output) ?? [], new Metric("DurationMs", durationMs, MetricUnit.Milliseconds)];
        EmbeddedMetrics.Write(logger, function.Name, metrics, time.GetUtcNow());
        await runtime.PostResponseAsync(invocation.RequestId, response, CancellationToken.None);
    }

    private static async Task TryAsync(Func<Task> action, LambdaLogger logger)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException)
        {
            logger.Error("could not report to the Runtime API", new LogField("error", ex.Message));
        }
    }
}
