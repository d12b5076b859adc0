using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Compiling;

/// <summary>The warm compiler refused an edit: the compiler reported errors (each as <c>file(line,col): error CSxxxx: message</c>). Nothing was written.</summary>
public sealed class CompileErrorException : DevLoopException
{
    /// <summary>Creates the error for <paramref name="project"/> with the compiler's <paramref name="errors"/>.</summary>
    public CompileErrorException(string project, IReadOnlyList<string> errors)
        : base("Build", $"{project} does not compile:\n{string.Join('\n', errors ?? [])}", "fix the errors above; the deploy runs again on the next save", RemedyAction.None)
    {
        Errors = errors ?? [];
    }

    /// <summary>Creates the error.</summary>
    public CompileErrorException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public CompileErrorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public CompileErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The compiler's errors, as <c>file(line,col): error CSxxxx: message</c>.</summary>
    public IReadOnlyList<string> Errors { get; } = [];
}
