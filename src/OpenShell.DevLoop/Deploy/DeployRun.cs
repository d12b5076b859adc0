using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.History;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Bookkeeping of one deploy, the one place where steps are timed: emits events to the caller and the log, collects the
/// step results, traces the deploy (a root <c>deploy</c> span, one span per step and per phase inside a step), records
/// its metrics and builds its history line. Every step and phase names the component it works on (its name in
/// components.json), so two components of one kind keep their own spans, results and events. Thread-safe, because
/// binaries deploy beside images and charts.
/// </summary>
internal sealed partial class DeployRun : IDisposable
{
    private readonly IProgress<DeployEvent>? _progress;
    private readonly ILogger _logger;
    private readonly string _trigger;
    private readonly DateTimeOffset _started;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<DeployStepResult> _steps = [];
    private readonly List<DeployHistoryStep> _historySteps = [];
    private readonly Dictionary<(DeployStep, string?), Activity> _stepSpans = [];
    private readonly Activity? _root;
    private DeployPlan? _plan;
    private long _bytesPushed;
    private DeployHistoryEntry? _finished;
    private long _lockWaitTicks;

    public DeployRun(IProgress<DeployEvent>? progress, ILogger logger, string trigger = DeployTriggers.Cli, TimeProvider? time = null)
    {
        _progress = progress;
        _logger = logger;
        _trigger = trigger;
        _started = (time ?? TimeProvider.System).GetUtcNow();

        // Each deploy is a trace of its own, whatever span the caller is in.
        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            _root = DevLoopTelemetry.Source.StartActivity(DeploySpanNames.Deploy, ActivityKind.Internal);
        }
        finally
        {
            Activity.Current = ambient;
        }

        _root?.SetTag(TelemetryTags.Trigger, trigger);
    }

    public IReadOnlyList<DeployStepResult> Steps
    {
        get
        {
            lock (_steps)
            {
                return [.. _steps];
            }
        }
    }

    /// <summary>The deploy's history line, once <see cref="Total"/> (or <see cref="Dispose"/>) ended it.</summary>
    public DeployHistoryEntry? Finished => Volatile.Read(ref _finished);

    /// <summary>One of upstream's console lines; <paramref name="component"/> is the component whose step printed it.</summary>
    public void Line(DeployStep step, string line, string? component = null) => Emit(new DeployEvent(step, DeployEventKind.Line, line, Component: component));

    /// <summary>Progress inside <paramref name="component"/>'s <paramref name="step"/>.</summary>
    public void Progress(DeployStep step, string? component, string message) => Emit(new DeployEvent(step, DeployEventKind.Progress, message, Component: component));

    /// <summary>Tells that <paramref name="component"/>'s new build is on the node at <paramref name="nodePath"/>, verified as <paramref name="sha256"/>.</summary>
    public void Swapped(string component, string nodePath, string sha256) =>
        Emit(new DeployEvent(DeployStep.Supervisor, DeployEventKind.Progress, $"{nodePath} runs sha256 {sha256} now", Component: component, Sha256: sha256));

    /// <summary>The checkout's deploy lock is held: the time since the run began was spent waiting for it (0 when it was free).</summary>
    public void LockTaken() => Interlocked.Exchange(ref _lockWaitTicks, _watch.Elapsed.Ticks);

    /// <summary>The plan is known: its components go on the root span and into the history.</summary>
    public void Planned(DeployPlan plan)
    {
        Volatile.Write(ref _plan, plan);
        _root?.SetTag(TelemetryTags.Components, plan.Components.Where(c => c.Rebuild).Select(c => c.Component.Name).ToArray());
    }

    /// <summary>
    /// Runs <paramref name="body"/> as <paramref name="component"/>'s <paramref name="step"/> (null: a step of the whole
    /// deploy): Started, then Succeeded with the timing line, or Failed with a <see cref="DeployException"/> naming both.
    /// </summary>
    public async Task<T> StepAsync<T>(DeployStep step, string? component, Func<Task<(T Value, string Detail)>> body)
    {
        Emit(new DeployEvent(step, DeployEventKind.Started, DeployStepLabels.Of(step), Component: component));
        using var span = StartSpan(DeploySpanNames.Of(step), _root, component);
        if (span is not null)
        {
            lock (_stepSpans)
            {
                _stepSpans[(step, component)] = span;
            }
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var (value, detail) = await body().ConfigureAwait(false);
            span?.SetTag(TelemetryTags.Detail, detail);
            Record(new DeployStepResult(step, DeployStepOutcome.Succeeded, watch.Elapsed, detail, component));
            Emit(new DeployEvent(step, DeployEventKind.Succeeded, detail, watch.Elapsed, component));
            Line(step, DeployStepLabels.TookLine(step, watch.Elapsed), component);
            return value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not Planning.InvalidTargetException)
        {
            var failure = ex switch
            {
                DeployException { Component: not null } named => named,
                DeployException unnamed => new DeployException(unnamed.Step, unnamed.Message, unnamed.InnerException)
                {
                    Component = component, Action = unnamed.Action, Remedy = unnamed.Remedy,
                },
                // The engine went away under the step: Docker.DotNet's bare transport error names neither it nor the fix.
                _ when Engine.EngineDropped.Is(ex) => new DeployException(step, Engine.EngineDropped.Describe(DeployStepLabels.Of(step).ToLowerInvariant(), ex), ex)
                {
                    Component = component, Remedy = Engine.EngineDropped.Remedy,
                },
                _ => new DeployException(step, ex.Message, ex)
                {
                    Component = component,
                    Remedy = (ex as Errors.DevLoopException)?.Remedy,
                    Action = ex is Errors.DevLoopException { Action: not Errors.RemedyAction.None } ours ? ours.Action : Errors.RemedyAction.DeployAgain,
                },
            };
            MarkFailed(span, ex, failure.Message);
            Record(new DeployStepResult(step, DeployStepOutcome.Failed, watch.Elapsed, failure.Message, component));
            Emit(new DeployEvent(step, DeployEventKind.Failed, failure.Message, watch.Elapsed, component));
            throw failure;
        }
        catch (Planning.InvalidTargetException ex)
        {
            // The caller's mistake keeps its type and fails no component, but the step's span and record say it failed.
            MarkFailed(span, ex, ex.Message);
            Record(new DeployStepResult(step, DeployStepOutcome.Failed, watch.Elapsed, ex.Message, component));
            throw;
        }
        catch (OperationCanceledException)
        {
            span?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> as the phase <paramref name="name"/> inside <paramref name="component"/>'s
    /// <paramref name="step"/> (a child span, a <c>openshell.deploy.step.duration</c> measurement);
    /// <paramref name="describe"/> adds attributes from its result.
    /// </summary>
    public async Task<T> PhaseAsync<T>(
        DeployStep step, string? component, string name, Func<Task<T>> body, Func<T, IEnumerable<KeyValuePair<string, object?>>>? describe = null)
    {
        Activity? parent;
        lock (_stepSpans)
        {
            _stepSpans.TryGetValue((step, component), out parent);
        }

        using var span = StartSpan(name, parent ?? _root, component);
        var watch = Stopwatch.StartNew();
        try
        {
            var value = await body().ConfigureAwait(false);
            foreach (var (key, tag) in describe?.Invoke(value) ?? [])
            {
                span?.SetTag(key, tag);
            }

            Measure(name, component, DeployOutcomes.Succeeded, watch.Elapsed);
            return value;
        }
        catch (Exception ex)
        {
            var cancelled = ex is OperationCanceledException;
            if (cancelled)
            {
                span?.SetStatus(ActivityStatusCode.Error, "cancelled");
            }
            else
            {
                MarkFailed(span, ex, ex.Message);
            }

            Measure(name, component, cancelled ? DeployOutcomes.Cancelled : DeployOutcomes.Failed, watch.Elapsed);
            throw;
        }
    }

    /// <summary><paramref name="component"/>'s image was pushed: bytes and reused layers go on its push span and the push counter.</summary>
    public void Pushed(string component, GatewayImage image)
    {
        Interlocked.Add(ref _bytesPushed, image.BytesPushed);
        DevLoopTelemetry.PushBytes.Add(image.BytesPushed, new KeyValuePair<string, object?>(TelemetryTags.Component, component));
        Activity? span;
        lock (_stepSpans)
        {
            _stepSpans.TryGetValue((DeployStep.ImagePush, component), out span);
        }

        span?.SetTag(TelemetryTags.PushBytes, image.BytesPushed);
        span?.SetTag(TelemetryTags.LayersPushed, image.LayersPushed);
        span?.SetTag(TelemetryTags.LayersReused, image.LayersReused);
        span?.SetTag(TelemetryTags.ImageDigest, image.Digest);
    }

    /// <summary>Records <paramref name="component"/>'s <paramref name="step"/> as not needed.</summary>
    public void Skip(DeployStep step, string? component, string why)
    {
        Record(new DeployStepResult(step, DeployStepOutcome.Skipped, TimeSpan.Zero, why, component));
        Emit(new DeployEvent(step, DeployEventKind.Skipped, why, Component: component));
    }

    /// <summary>Records the total and ends the trace; <paramref name="failure"/> is the error of a failed deploy.</summary>
    public void Total(TimeSpan elapsed, bool succeeded, DeployException? failure = null)
    {
        var detail = succeeded ? "deploy complete" : "deploy failed";
        lock (_steps)
        {
            _steps.Add(new DeployStepResult(DeployStep.Total, succeeded ? DeployStepOutcome.Succeeded : DeployStepOutcome.Failed, elapsed, detail));
        }

        Emit(new DeployEvent(DeployStep.Total, succeeded ? DeployEventKind.Succeeded : DeployEventKind.Failed, detail, elapsed));
        Finish(elapsed, succeeded ? DeployOutcomes.Succeeded : DeployOutcomes.Failed, failure);
    }

    /// <summary>Ends the trace; a deploy that never reached <see cref="Total"/> was cancelled or stopped by an unexpected error.</summary>
    public void Dispose()
    {
        Finish(_watch.Elapsed, DeployOutcomes.Cancelled, null);
        _root?.Dispose();
    }

    private void Finish(TimeSpan elapsed, string outcome, DeployException? failure)
    {
        DeployHistoryEntry entry;
        lock (_steps)
        {
            if (_finished is not null)
            {
                return;
            }

            var plan = Volatile.Read(ref _plan);
            entry = new DeployHistoryEntry(
                _started,
                _trigger,
                outcome,
                elapsed.TotalSeconds,
                plan?.Components.Where(c => c.Rebuild).Select(c => c.Component.Name).ToArray() ?? [],
                plan?.Components.Where(c => c.Changes.Count > 0)
                    .ToDictionary(c => c.Component.Name, c => (IReadOnlyList<string>)[.. c.Changes.Select(ch => ch.Path)], StringComparer.Ordinal)
                    ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal),
                [.. _historySteps],
                Interlocked.Read(ref _bytesPushed))
            {
                Error = failure?.Message,
                FailedStep = failure is null ? null : DeploySpanNames.Of(failure.Step),
                FailedComponent = failure?.Component,
                LockWaitSeconds = TimeSpan.FromTicks(Interlocked.Read(ref _lockWaitTicks)).TotalSeconds,
            };
            Volatile.Write(ref _finished, entry);
        }

        DevLoopTelemetry.DeployDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        if (_root is null)
        {
            return;
        }

        _root.SetTag(TelemetryTags.Outcome, outcome);
        if (outcome == DeployOutcomes.Succeeded)
        {
            _root.SetStatus(ActivityStatusCode.Ok);
        }
        else
        {
            if (entry.FailedStep is { } failedStep)
            {
                _root.SetTag(TelemetryTags.FailedStep, failedStep);
            }

            _root.SetStatus(ActivityStatusCode.Error, failure?.Message ?? outcome);
        }

        _root.Stop();
    }

    /// <summary>
    /// Appends the finished deploy to the checkout's history. A history that cannot be written costs the deploy nothing:
    /// it is logged as a warning.
    /// </summary>
    public async Task AppendHistoryAsync(string repositoryRoot)
    {
        if (Finished is not { } entry)
        {
            return;
        }

        try
        {
            await DeployHistory.ForRepository(repositoryRoot).AppendAsync(entry).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogHistoryFailed(_logger, ex.Message);
        }
    }

    private static Activity? StartSpan(string name, Activity? parent, string? component)
    {
        var span = parent is null
            ? DevLoopTelemetry.Source.StartActivity(name, ActivityKind.Internal)
            : DevLoopTelemetry.Source.StartActivity(name, ActivityKind.Internal, parent.Context);
        span?.SetTag(TelemetryTags.Step, name);
        if (component is not null)
        {
            span?.SetTag(TelemetryTags.Component, component);
        }

        return span;
    }

    private static void MarkFailed(Activity? span, Exception error, string message)
    {
        if (span is null)
        {
            return;
        }

        span.SetStatus(ActivityStatusCode.Error, message);
        span.AddException(error);
    }

    private static void Measure(string step, string? component, string outcome, TimeSpan elapsed)
    {
        DevLoopTelemetry.StepDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>(TelemetryTags.Step, step),
            new KeyValuePair<string, object?>(TelemetryTags.Component, component),
            new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
    }

    private void Record(DeployStepResult result)
    {
        var component = result.Component;
        var outcome = result.Outcome switch
        {
            DeployStepOutcome.Succeeded => DeployOutcomes.Succeeded,
            DeployStepOutcome.Failed => DeployOutcomes.Failed,
            _ => DeployOutcomes.Skipped,
        };
        var name = DeploySpanNames.Of(result.Step);
        lock (_steps)
        {
            _steps.Add(result);
            _historySteps.Add(new DeployHistoryStep(name, outcome, result.Duration.TotalSeconds, component));
        }

        if (result.Outcome == DeployStepOutcome.Skipped)
        {
            return;
        }

        Measure(name, component, outcome, result.Duration);
        if (result.Step == DeployStep.ChangeDetection)
        {
            DevLoopTelemetry.PlanDuration.Record(result.Duration.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        }
    }

    private void Emit(DeployEvent value)
    {
        switch (value.Kind)
        {
            case DeployEventKind.Failed:
                LogFailed(_logger, StepOf(value), value.Message);
                break;
            case DeployEventKind.Progress:
                LogProgress(_logger, StepOf(value), value.Message);
                break;
            case DeployEventKind.Line:
                LogLine(_logger, value.Message);
                break;
            default:
                LogStep(_logger, StepOf(value), value.Kind, value.Message);
                break;
        }

        _progress?.Report(value);
    }

    private static string StepOf(DeployEvent value) =>
        value.Component is { } component ? $"{DeployStepLabels.Of(value.Step)} ({component})" : DeployStepLabels.Of(value.Step);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Step}: {Message}")]
    private static partial void LogProgress(ILogger logger, string step, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Step} {Kind}: {Message}")]
    private static partial void LogStep(ILogger logger, string step, DeployEventKind kind, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The deploy was not added to the deploy history: {Message}")]
    private static partial void LogHistoryFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Step} failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string step, string message);
}
