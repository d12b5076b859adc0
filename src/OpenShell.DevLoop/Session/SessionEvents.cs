using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Session;

/// <summary>Something a front end shows: the session publishes these, in order, through <see cref="DevSession.Changed"/>.</summary>
internal abstract record SessionEvent;

/// <summary>The runtime bundle is being resolved, is ready, or failed.</summary>
/// <param name="Phase">Where it stands.</param>
/// <param name="Bundle">The verified bundle, when ready.</param>
/// <param name="Error">The failure, when failed.</param>
internal sealed record BundleChanged(BundlePhase Phase, ResolvedBundle? Bundle = null, DevLoopException? Error = null) : SessionEvent;

/// <summary>The cluster changed state.</summary>
/// <param name="Phase">Where it stands.</param>
/// <param name="Detail">What it waits for, or the bootstrap decision and its reason.</param>
/// <param name="Cluster">The running cluster, when running.</param>
/// <param name="Error">The failure, when failed.</param>
internal sealed record ClusterChanged(ClusterPhase Phase, string? Detail = null, ClusterUpResult? Cluster = null, DevLoopException? Error = null) : SessionEvent;

/// <summary>A component entered a phase of a deploy (or waits for the cluster).</summary>
/// <param name="Component">The component's name in the catalogue.</param>
/// <param name="Phase">The phase.</param>
/// <param name="Detail">What it waits for, when waiting.</param>
internal sealed record ComponentPhaseChanged(string Component, ComponentPhase Phase, string? Detail = null) : SessionEvent;

/// <summary>A component is deployed (or found up to date) with what runs in the cluster.</summary>
/// <param name="Component">The component's name in the catalogue.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Facts">What runs and when it was deployed.</param>
internal sealed record ComponentDeployed(string Component, ComponentKind Kind, ComponentFacts Facts) : SessionEvent;

/// <summary>
/// A binary's new build is on the node, its sha256 verified there, before its deploy ends (which may still verify it with a
/// sandbox): front ends show what the node runs at once.
/// </summary>
internal sealed record BinarySwapped(string Component, string Sha256) : SessionEvent;

/// <summary>A component's deploy failed; the last good deployment keeps running.</summary>
/// <param name="Component">The component's name in the catalogue.</param>
/// <param name="Error">The step, the message and the remedy.</param>
internal sealed record ComponentFailed(string Component, DevLoopException Error) : SessionEvent;

/// <summary>One line of a component's own output during a deploy.</summary>
/// <param name="Component">The component's name in the catalogue.</param>
/// <param name="Message">The line.</param>
/// <param name="IsError">True for a failure.</param>
internal sealed record ComponentLog(string Component, string Message, bool IsError) : SessionEvent;

/// <summary>A deploy step started (for the watcher's state).</summary>
/// <param name="Step">The step.</param>
/// <param name="Components">The components it works on; empty for planning and the whole deploy.</param>
internal sealed record DeployStepStarted(DeployStep Step, IReadOnlyList<string> Components) : SessionEvent;

/// <summary>The watcher started a deploy.</summary>
/// <param name="Trigger">Why, with the changed paths.</param>
internal sealed record DeployTriggered(DeployTrigger Trigger) : SessionEvent;

/// <summary>A deploy finished successfully.</summary>
/// <param name="Result">Its plan, steps and facts.</param>
/// <param name="At">When.</param>
internal sealed record DeployFinished(DeployResult Result, DateTimeOffset At) : SessionEvent;

/// <summary>The watcher's state changed, it could not start, or watching is disabled.</summary>
/// <param name="Status">The loop's status, once it runs.</param>
/// <param name="StartupError">Why it could not start.</param>
/// <param name="Disabled">True when watching is turned off in the settings.</param>
internal sealed record WatcherChanged(DeployLoopStatus? Status, DevLoopException? StartupError = null, bool Disabled = false) : SessionEvent;

/// <summary>The Docker engine or a forward to its ports was lost or came back, or what it runs changed.</summary>
/// <param name="Status">The engine's status.</param>
internal sealed record EngineChanged(EngineStatus Status) : SessionEvent;
