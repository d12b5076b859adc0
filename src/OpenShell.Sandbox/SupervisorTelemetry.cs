using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpenShell.Sandbox;

/// <summary>
/// The supervisor's traces: a span per call to the gateway (registration, exit report), exported over OTLP only when
/// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. The gRPC call carries the span's context
/// (<c>traceparent</c>), so the gateway's side of a registration is a child in the same trace.
/// </summary>
internal static class SupervisorTelemetry
{
    /// <summary>The activity source and the default <c>service.name</c>.</summary>
    internal const string Name = "openshell-sandbox";

    /// <summary>The span around a registration, retries included.</summary>
    internal const string RegisterSpan = "register";

    /// <summary>The span around the exit report.</summary>
    internal const string ReportExitSpan = "report exit";

    /// <summary>The sandbox's name on every span.</summary>
    internal const string SandboxTag = "openshell.sandbox.id";

    internal static readonly ActivitySource Source = new(Name, SupervisorRunner.Version);

    /// <summary>
    /// Starts the exporter when <paramref name="environment"/> names an OTLP endpoint; disposing the result flushes
    /// what is buffered, so spans of a supervisor that exits at once are not lost.
    /// </summary>
    internal static TracerProvider? Start(Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            return null;
        }

        // The exporter reads the other standard variables (protocol, headers, timeout) itself.
        return Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService(environment("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : Name, serviceVersion: SupervisorRunner.Version))
            .AddSource(Name)
            // The HTTP/2 request under each gRPC call (the runtime's own source): the gateway's span is its child.
            .AddSource("System.Net.Http")
            .AddOtlpExporter()
            .Build();
    }

    /// <summary>Marks <paramref name="activity"/> as failed with <paramref name="message"/>.</summary>
    internal static void Fail(Activity? activity, string message) => activity?.SetStatus(ActivityStatusCode.Error, message);
}
