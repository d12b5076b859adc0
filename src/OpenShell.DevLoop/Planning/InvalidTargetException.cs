using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Planning;

/// <summary>A target word names no component; the message lists the valid ones.</summary>
public sealed class InvalidTargetException : DevLoopException
{
    /// <summary>Creates the exception for <paramref name="target"/>.</summary>
    public InvalidTargetException(string target, IReadOnlyList<string> validTargets)
        : base($"Unknown deploy target '{target}'. Valid targets: {string.Join(", ", validTargets)}.")
    {
        Target = target;
        ValidTargets = validTargets;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidTargetException()
    {
        Target = string.Empty;
        ValidTargets = [];
    }

    /// <summary>Creates the exception with its cause.</summary>
    public InvalidTargetException(string message, Exception innerException)
        : base(message, innerException)
    {
        Target = string.Empty;
        ValidTargets = [];
    }

    /// <summary>The unknown word.</summary>
    public string Target { get; }

    /// <summary>The accepted words.</summary>
    public IReadOnlyList<string> ValidTargets { get; }
}
