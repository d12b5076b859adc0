using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenShell.Core;
using OpenShell.Server.Tests.Hosting;
using OpenShell.Testing;
using OpenTelemetry.Trace;

namespace OpenShell.Sandbox.Tests;

/// <summary>
/// The published supervisor exports its spans over OTLP, and a registration is one trace across the supervisor and
/// the gateway: the gateway's server span is the child of the supervisor's <c>register</c> span.
/// </summary>
[Collection(SupervisorBinaryCollection.Name)]
public sealed class SupervisorTracingTests(SupervisorBinaryFixture supervisor)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_registration_is_one_trace_from_the_supervisor_to_the_gateway()
    {
        // The gateway traces its requests when it exports (OTEL_EXPORTER_OTLP_ENDPOINT); here its server spans are
        // captured in memory instead.
        var gatewaySpans = new List<Activity>();
        await using var gateway = await TestGateway.StartAsync(
            configureServices: services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddInMemoryExporter(gatewaySpans)));
        using var collector = new OtlpHttpCollector();
        var environment = Environment(gateway, "traced-box");
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint;
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        environment["OTEL_SERVICE_NAME"] = "sandbox-traced-box";

        using var process = SupervisorProcess.Start(supervisor.Path, environment, "true");
        Assert.Equal(0, await process.WaitAsync(s_timeout));

        var exported = await collector.WaitForAsync("/v1/traces", SupervisorTelemetry.RegisterSpan);
        Assert.Contains("sandbox-traced-box", exported.Body, StringComparison.Ordinal);
        Assert.Contains("traced-box", exported.Body, StringComparison.Ordinal);
        var report = await collector.WaitForAsync("/v1/traces", SupervisorTelemetry.ReportExitSpan);
        Assert.Contains("process.exit.code", report.Body, StringComparison.Ordinal);

        // The gateway exports when the request ends; the supervisor has exited by then.
        var server = await EventuallyAsync(() => gatewaySpans.ToArray().FirstOrDefault(s => s.DisplayName.Contains("Register", StringComparison.Ordinal)));
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.True(ContainsBytes(exported.Raw, Convert.FromHexString(server.TraceId.ToHexString())),
            $"the supervisor exported no span of the gateway's trace {server.TraceId}");
        Assert.True(ContainsBytes(exported.Raw, Convert.FromHexString(server.ParentSpanId.ToHexString())),
            $"the gateway's span has parent {server.ParentSpanId}, which the supervisor did not export");
    }

    private static Dictionary<string, string> Environment(TestGateway gateway, string sandboxId) => new()
    {
        [SupervisorEnvironment.GatewayEndpoint] = gateway.Endpoint.ToString(),
        [SupervisorEnvironment.SandboxId] = sandboxId,
        [SupervisorEnvironment.ClientCertificate] = gateway.Client.CertificatePath,
        [SupervisorEnvironment.ClientKey] = gateway.Client.KeyPath,
        [SupervisorEnvironment.CertificateAuthority] = gateway.ServerCa.CertificatePath,
        [SupervisorEnvironment.RegistrationTimeout] = "30",
    };

    private static async Task<T> EventuallyAsync<T>(Func<T?> read)
        where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (read() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("the gateway exported no span for the registration");
    }

    private static bool ContainsBytes(byte[] haystack, byte[] needle) =>
        haystack.AsSpan().IndexOf(needle) >= 0;
}
