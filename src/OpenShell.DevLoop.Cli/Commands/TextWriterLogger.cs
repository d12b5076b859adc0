using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>A logger that writes messages at or above a level to a text writer, one line each (no category, no timestamp).</summary>
internal sealed class TextWriterLogger(TextWriter writer, LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine(formatter(state, exception));
        }
    }
}
