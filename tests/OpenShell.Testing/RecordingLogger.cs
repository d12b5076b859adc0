using Microsoft.Extensions.Logging;

namespace OpenShell.Testing;

/// <summary>A logger that keeps every formatted message with its level, safe to write from several threads.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    /// <summary>The messages so far, in order.</summary>
    public IReadOnlyList<string> Lines => Snapshot().Select(e => e.Message).ToList();

    /// <summary>The messages so far with their levels, in order.</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Entries => Snapshot();

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }

    private List<(LogLevel Level, string Message)> Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries];
        }
    }
}
