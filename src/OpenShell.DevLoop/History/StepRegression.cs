namespace OpenShell.DevLoop.History;

/// <summary>A step that took more than twice its usual time.</summary>
/// <param name="Step">The step's name.</param>
/// <param name="Component">Its component, when it has one.</param>
/// <param name="Seconds">Its duration in the deploy examined.</param>
/// <param name="MedianSeconds">Its median over the earlier successful deploys compared.</param>
/// <param name="Runs">How many earlier deploys the median is taken over.</param>
public sealed record StepRegression(string Step, string? Component, double Seconds, double MedianSeconds, int Runs)
{
    /// <summary>For a person: <c>image push 9.1s is 3.2× its median 2.8s over 20 runs</c>.</summary>
    public override string ToString() => FormattableString.Invariant(
        $"{Step} {Seconds:0.0}s is {Seconds / MedianSeconds:0.0}x its median {MedianSeconds:0.0}s over the last {Runs} successful runs");
}
