using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Bookkeeping of one deploy: emits events to the caller and the log, times steps and collects their results.
/// Thread-safe, because the supervisor runs beside the gateway.
/// </summary>
internal sealed partial class DeployRun(IProgress<DeployEvent>? progress, ILogger logger)
{
    private readonly List<DeployStepResult> _steps = [];

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

    /// <summary>One of upstream's console lines.</summary>
    public void Line(DeployStep step, string line) => Emit(new DeployEvent(step, DeployEventKind.Line, line));

    /// <summary>Progress inside a step.</summary>
    public void Progress(DeployStep step, string message) => Emit(new DeployEvent(step, DeployEventKind.Progress, message));

    /// <summary>Runs <paramref name="body"/> as <paramref name="step"/>: Started, then Succeeded with the timing line, or Failed.</summary>
    public async Task<T> StepAsync<T>(DeployStep step, Func<Task<(T Value, string Detail)>> body)
    {
        Emit(new DeployEvent(step, DeployEventKind.Started, DeployStepLabels.Of(step)));
        var watch = Stopwatch.StartNew();
        try
        {
            var (value, detail) = await body().ConfigureAwait(false);
            Record(new DeployStepResult(step, DeployStepOutcome.Succeeded, watch.Elapsed, detail));
            Emit(new DeployEvent(step, DeployEventKind.Succeeded, detail, watch.Elapsed));
            Line(step, DeployStepLabels.TookLine(step, watch.Elapsed));
            return value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not Planning.InvalidTargetException)
        {
            var failure = ex as DeployException ?? new DeployException(step, ex.Message, ex);
            Record(new DeployStepResult(step, DeployStepOutcome.Failed, watch.Elapsed, failure.Message));
            Emit(new DeployEvent(step, DeployEventKind.Failed, failure.Message, watch.Elapsed));
            throw failure;
        }
    }

    /// <summary>Records <paramref name="step"/> as not needed.</summary>
    public void Skip(DeployStep step, string why)
    {
        Record(new DeployStepResult(step, DeployStepOutcome.Skipped, TimeSpan.Zero, why));
        Emit(new DeployEvent(step, DeployEventKind.Skipped, why));
    }

    /// <summary>Records the total.</summary>
    public void Total(TimeSpan elapsed, bool succeeded)
    {
        Record(new DeployStepResult(DeployStep.Total, succeeded ? DeployStepOutcome.Succeeded : DeployStepOutcome.Failed, elapsed, succeeded ? "deploy complete" : "deploy failed"));
        Emit(new DeployEvent(DeployStep.Total, succeeded ? DeployEventKind.Succeeded : DeployEventKind.Failed, succeeded ? "deploy complete" : "deploy failed", elapsed));
    }

    private void Record(DeployStepResult result)
    {
        lock (_steps)
        {
            _steps.Add(result);
        }
    }

    private void Emit(DeployEvent value)
    {
        switch (value.Kind)
        {
            case DeployEventKind.Failed:
                LogFailed(logger, DeployStepLabels.Of(value.Step), value.Message);
                break;
            case DeployEventKind.Progress:
                LogProgress(logger, DeployStepLabels.Of(value.Step), value.Message);
                break;
            case DeployEventKind.Line:
                LogLine(logger, value.Message);
                break;
            default:
                LogStep(logger, DeployStepLabels.Of(value.Step), value.Kind, value.Message);
                break;
        }

        progress?.Report(value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Step}: {Message}")]
    private static partial void LogProgress(ILogger logger, string step, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Step} {Kind}: {Message}")]
    private static partial void LogStep(ILogger logger, string step, DeployEventKind kind, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Step} failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string step, string message);
}
