using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>A minimal logger that writes each message as one line, for commands that report progress.</summary>
internal sealed class WriterLogger(TextWriter writer, LogLevel minimum = LogLevel.Information) : ILogger
{
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var prefix = logLevel switch
        {
            >= LogLevel.Error => "error: ",
            LogLevel.Warning => "warning: ",
            _ => "",
        };
        lock (_gate)
        {
            writer.WriteLine(prefix + formatter(state, exception));
        }
    }
}
