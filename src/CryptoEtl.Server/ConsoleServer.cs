using System.Net;
using System.Reflection;
using System.Text;
using CryptoEtl.Core;
using CryptoEtl.Report;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CryptoEtl.Server;

/// <summary>Where `cryptoetl serve` listens.</summary>
public sealed record ConsoleServerOptions
{
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8083;

    /// <summary>Listen on a non-loopback address: anyone who reaches it can run the pipeline.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>
    /// The largest request body taken: an execution input is 256 KiB at most (StartExecution's
    /// limit), so 1 MiB holds any valid request with room for JSON escaping.
    /// </summary>
    public const int MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Connections served at once (browsers keep about 6, botocore's pool 10); more are closed at once (Kestrel's limit), and clients retry.</summary>
    public const int MaxConnections = 64;

    /// <summary>
    /// The Host header values served, as Kestrel's host filtering takes them: the address listened
    /// on and, on loopback, the loopback names. A browser tricked by DNS rebinding sends the
    /// attacker's name, which is refused on every route. On a wildcard address (0.0.0.0, ::, with
    /// --allow-remote) the machine's names are not known, so any Host is served.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts()
    {
        if (IPAddress.TryParse(Host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            return ["*"];
        }

        var own = ip is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{ip}]" : Host;
        return Host == "localhost" || (ip is not null && IPAddress.IsLoopback(ip))
            ? [own, "localhost", "127.0.0.1", "[::1]"]
            : [own];
    }
}

/// <summary>
/// The server: Kestrel (ASP.NET Core's WebApplication.CreateSlimBuilder, which Native AOT
/// supports) with the Step Functions API at POST / and the console's pages. Executions and their
/// histories live in DATA_DIR/executions.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    // No script anywhere; styles from /console.css only; forms post to this server only.
    private const string ConsolePolicy = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    // The market report is ReportHtml's self-contained page: its inline <style> and data: images, nothing else, framed only by /report.
    private const string ReportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'";

    private readonly WebApplication _app;
    private readonly ExecutionStore _store;
    private readonly ExecutionService _executions;
    private readonly IPipelineHost _host;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _reportLock = new(1, 1);
    private ReportData? _report;
    private DateTimeOffset? _reportBuiltAt;

    private ConsoleServer(WebApplication app, ExecutionStore store, ExecutionService executions, IPipelineHost host, TimeProvider time)
    {
        _app = app;
        _store = store;
        _executions = executions;
        _host = host;
        _time = time;
    }

    /// <summary>The address it listens on, e.g. http://127.0.0.1:8083/.</summary>
    public Uri Address { get; private set; } = null!;

    public ExecutionService Executions => _executions;

    /// <summary>
    /// Cancelled when the host stops on its own: its console lifetime takes SIGTERM (and Ctrl+C)
    /// for itself, so a command waiting for the signal must also wait on this.
    /// </summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>
    /// Starts serving; the server owns <paramref name="host"/> from here (disposed with it when
    /// disposable). <paramref name="log"/> hears what it cannot do (a record it could not save or read).
    /// </summary>
    public static Task<ConsoleServer> StartAsync(
        ConsoleServerOptions options, LocalStateMachine machine, IPipelineHost host, string dataDir, TimeProvider time, TextWriter log, CancellationToken cancellationToken) =>
        StartAsync(options, [machine], host, dataDir, time, log, cancellationToken);

    /// <summary>Starts serving <paramref name="machines"/> (the first is the home page's); the rest as the one-machine overload.</summary>
    public static async Task<ConsoleServer> StartAsync(
        ConsoleServerOptions options, IReadOnlyList<LocalStateMachine> machines, IPipelineHost host, string dataDir, TimeProvider time, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        options = CheckListen(options);
        var store = new ExecutionStore(Path.Combine(dataDir, "executions"), log, time);
        ExecutionService executions;
        try
        {
            executions = new ExecutionService(machines, host, store, time);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // The command owns SIGINT/SIGTERM (the first lets the running execution finish); the host's console lifetime would take them.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.Services.AddHostFiltering(filtering =>
        {
            filtering.AllowedHosts = [.. options.AllowedHosts()];
            filtering.IncludeFailureMessage = true;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // What concurrent requests may hold is bounded: connections times the body limit.
            kestrel.Limits.MaxRequestBodySize = ConsoleServerOptions.MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = ConsoleServerOptions.MaxConnections;
        });
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        var app = builder.Build();
        app.UseHostFiltering();
        var server = new ConsoleServer(app, store, executions, host, time);
        server.Map(new StepFunctionsApi(executions));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            // Kestrel's "address already in use" and the like: the one thing the user can fix is the address.
            await app.DisposeAsync();
            await executions.DisposeAsync();
            await store.DisposeAsync();
            throw new PipelineException(ErrorNames.Configuration, $"cannot listen on {options.Host} port {options.Port}: {ex.Message}; is another server using it? Give another --port", ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>
    /// Stops serving, lets the running execution finish and keeps the queued ones for the next
    /// start; <paramref name="abandon"/> (a second signal) cancels the running one instead.
    /// </summary>
    public async Task ShutdownAsync(CancellationToken abandon)
    {
        await _app.StopAsync(CancellationToken.None);
        await _executions.DrainAsync(abandon);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _executions.DisposeAsync();
        await _store.DisposeAsync();
        _reportLock.Dispose();
        (_host as IDisposable)?.Dispose();
    }

    /// <summary>The options to listen with, or a Configuration error naming what is wrong with them.</summary>
    private static ConsoleServerOptions CheckListen(ConsoleServerOptions options)
    {
        if (options.Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new PipelineException(ErrorNames.Configuration, $"--port {options.Port} is not a TCP port: give 1 to {IPEndPoint.MaxPort} (0 picks a free one)");
        }

        if (IPAddress.TryParse(options.Host, out var mapped) && mapped.IsIPv4MappedToIPv6)
        {
            // Kestrel cannot bind an IPv4-mapped IPv6 address; it means the IPv4 one.
            options = options with { Host = mapped.MapToIPv4().ToString() };
        }

        if (options.Host != "localhost" && !IPAddress.TryParse(options.Host, out _))
        {
            throw new PipelineException(ErrorNames.Configuration, $"--host {options.Host} is not an IP address: give one such as 127.0.0.1 or ::1 (or localhost)");
        }

        var loopback = options.Host == "localhost" || (IPAddress.TryParse(options.Host, out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback && !options.AllowRemote)
        {
            throw new PipelineException(ErrorNames.Configuration,
                $"--host {options.Host} is not a loopback address: the console and its API check no credential, so anyone who reaches it could run "
                + "the pipeline; add --allow-remote to serve it there anyway");
        }

        return options;
    }

    private void Map(StepFunctionsApi api)
    {
        _app.MapPost("/", api.HandleAsync);
        _app.MapGet("/", HomeAsync);
        _app.MapPost("/executions", StartAsync);
        _app.MapGet("/executions/{name}", ExecutionAsync);
        _app.MapPost("/executions/{name}/stop", StopAsync);
        _app.MapGet("/report", ReportAsync);
        _app.MapPost("/report/refresh", RefreshReportAsync);
        _app.MapGet("/report/market.html", MarketHtmlAsync);
        _app.MapGet("/console.css", StylesheetAsync);
        // Browsers ask for it on their own; no icon, and no 404 in their console.
        _app.MapGet("/favicon.ico", context =>
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
    }

    private Task HomeAsync(HttpContext context)
    {
        var name = context.Request.Query["machine"].ToString();
        var machine = name.Length == 0 ? _executions.Machine : _executions.Machines.FirstOrDefault(m => m.Name == name);
        return machine is null
            ? HtmlAsync(context, ConsolePages.Message("No such state machine", $"this server runs {string.Join(", ", _executions.Machines.Select(m => m.Name))}"), StatusCodes.Status404NotFound)
            : HtmlAsync(context, ConsolePages.Home(_executions, _executions.List(machine.Arn, null), unsaved: _store.Unsaved, machine: machine));
    }

    private async Task StartAsync(HttpContext context)
    {
        if (await FormAsync(context) is not { } form)
        {
            return;
        }

        var name = string.IsNullOrWhiteSpace(form["name"]) ? null : form["name"].ToString().Trim();
        var input = form["input"].ToString();
        var machine = _executions.Machines.FirstOrDefault(m => m.Name == form["machine"].ToString()) ?? _executions.Machine;
        try
        {
            var started = _executions.Start(machine.Arn, name, input);
            context.Response.Redirect(ConsolePages.ExecutionPath(started.Name));
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
        }
        catch (StepFunctionsException ex)
        {
            await HtmlAsync(context, ConsolePages.Home(_executions, _executions.List(machine.Arn, null), $"{ex.ErrorType}: {ex.Message}", name, input, machine: machine),
                StatusCodes.Status400BadRequest);
        }
    }

    private async Task ExecutionAsync(HttpContext context)
    {
        var arn = _executions.ExecutionArnOf((string)context.Request.RouteValues["name"]!);
        try
        {
            var record = _executions.Describe(arn);
            var current = _executions.CurrentState(arn);
            var extract = current is { State: "Extract" } state ? _host.ExtractProgress(state.Since) : null;
            await HtmlAsync(context, ConsolePages.Execution(_executions, record, current, _time.GetUtcNow(), extract));
        }
        catch (StepFunctionsException ex)
        {
            await HtmlAsync(context, ConsolePages.Message("No such execution", ex.Message), StatusCodes.Status404NotFound);
        }
    }

    private async Task StopAsync(HttpContext context)
    {
        if (await FormAsync(context) is null)
        {
            return;
        }

        var name = (string)context.Request.RouteValues["name"]!;
        try
        {
            _executions.Stop(_executions.ExecutionArnOf(name), "Stopped", "stopped from the console");
            context.Response.Redirect(ConsolePages.ExecutionPath(name));
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
        }
        catch (StepFunctionsException ex)
        {
            await HtmlAsync(context, ConsolePages.Message("No such execution", ex.Message), StatusCodes.Status404NotFound);
        }
    }

    private async Task ReportAsync(HttpContext context)
    {
        string? error = null;
        if (_report is null)
        {
            error = await BuildReportAsync(context.RequestAborted);
        }

        await HtmlAsync(context, ConsolePages.Report(_report, _reportBuiltAt, error));
    }

    private async Task RefreshReportAsync(HttpContext context)
    {
        if (await FormAsync(context) is null)
        {
            return;
        }

        if (await BuildReportAsync(context.RequestAborted) is { } error)
        {
            await HtmlAsync(context, ConsolePages.Report(_report, _reportBuiltAt, error));
            return;
        }

        context.Response.Redirect("/report");
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    /// <summary>Re-reads the warehouse; returns the error to show, or null.</summary>
    private async Task<string?> BuildReportAsync(CancellationToken cancellationToken)
    {
        await _reportLock.WaitAsync(cancellationToken);
        try
        {
            _report = await _host.BuildReportAsync(cancellationToken);
            _reportBuiltAt = _time.GetUtcNow();
            return null;
        }
        catch (PipelineException ex)
        {
            return $"{ex.ErrorName}: {ex.Message}";
        }
#pragma warning disable CA1031 // A reader gets a page saying what failed, never a 500.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            _reportLock.Release();
        }
    }

    private async Task MarketHtmlAsync(HttpContext context)
    {
        if (_report is not { } report)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.Headers.ContentSecurityPolicy = ReportPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentType = ContentTypes.Html;
        await context.Response.WriteAsync(ReportHtml.Render(report), Encoding.UTF8, context.RequestAborted);
    }

    private static async Task StylesheetAsync(HttpContext context)
    {
        await using var css = Assembly.GetExecutingAssembly().GetManifestResourceStream("console.css")!;
        context.Response.ContentType = "text/css; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
        await css.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>
    /// The form of a console POST, or null (and 403) when another site's page sent it: a page
    /// elsewhere must not start executions on this machine through the user's browser.
    /// </summary>
    private static async Task<IFormCollection?> FormAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var fetchSite = context.Request.Headers["Sec-Fetch-Site"].ToString();
        // Under Referrer-Policy no-referrer a browser sends "Origin: null" with its own forms, and
        // also from sandboxed frames and data: pages: only Sec-Fetch-Site tells them apart.
        var sameOrigin = origin.Length == 0 || (origin == "null" && fetchSite == "same-origin")
            || string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase);
        if (!sameOrigin || fetchSite is "cross-site" or "same-site" || !context.Request.HasFormContentType)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return null;
        }

        return await context.Request.ReadFormAsync(context.RequestAborted);
    }

    private static async Task HtmlAsync(HttpContext context, string html, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentTypes.Html;
        context.Response.Headers.ContentSecurityPolicy = ConsolePolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted);
    }
}

/// <summary>The host lifetime of a server whose command handles the signals: starts and stops when told, takes no signal.</summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
