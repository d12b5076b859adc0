namespace OpenShell.DevLoop.Errors;

/// <summary>
/// The base of every error the engine reports: the step that failed, a message naming the cause (exact texts other
/// contracts require stay as they are) and, apart from it, the remedy. Front ends print the remedy on its own line and
/// word <see cref="Action"/> for their user ("run openshell-dev …" in a terminal, "use the Recreate command" on the dashboard).
/// </summary>
public class DevLoopException : Exception
{
    /// <summary>Creates the error for <paramref name="step"/>.</summary>
    public DevLoopException(string step, string message, string? remedy = null, RemedyAction action = RemedyAction.None, Exception? innerException = null)
        : base(message, innerException)
    {
        StepName = step;
        Remedy = remedy;
        Action = action;
    }

    /// <summary>Creates the error.</summary>
    public DevLoopException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public DevLoopException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public DevLoopException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The step that failed, as a person reads it (<c>Helm upgrade</c>, <c>Runtime bundle</c>, <c>Cluster</c>).</summary>
    public string StepName { get; protected init; } = "";

    /// <summary>What to do about it in words that hold for every front end; null when <see cref="Action"/> says it all.</summary>
    public string? Remedy { get; init; }

    /// <summary>A remedy each front end words itself.</summary>
    public RemedyAction Action { get; init; }

    /// <summary>
    /// Returns <paramref name="error"/> when it is already one of ours, else wraps it as a failure of <paramref name="step"/>
    /// (an unexpected error: its type names it, the stack trace stays in <see cref="Exception.InnerException"/>).
    /// </summary>
    public static DevLoopException Wrap(string step, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is DevLoopException ours)
        {
            return string.IsNullOrEmpty(ours.StepName)
                ? new DevLoopException(step, ours.Message, ours.Remedy, ours.Action, ours)
                : ours;
        }

        return new DevLoopException(step, $"unexpected {error.GetType().Name}: {error.Message}", null, RemedyAction.None, error);
    }
}
