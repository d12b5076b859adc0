using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>Starts <see cref="FakeProcess"/>es instead of ssh and keeps them, with their arguments.</summary>
internal sealed class FakeRunner(Func<IReadOnlyList<string>, FakeProcess> start) : ISshProcessRunner
{
    public List<FakeProcess> Started { get; } = [];

    public ISshProcess Start(IReadOnlyList<string> arguments)
    {
        var process = start(arguments);
        process.Arguments = arguments;
        Started.Add(process);
        return process;
    }
}
