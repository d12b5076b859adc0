using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Defaults shared by OpenShell's services: OpenTelemetry and health checks.
/// </summary>
public static class Extensions
{
    /// <summary>Tag for checks that decide readiness (and not liveness).</summary>
    public const string ReadyTag = "ready";

    private const string LiveTag = "live";

    /// <summary>
    /// Adds OpenTelemetry (when an OTLP endpoint is configured) and the default health checks. No HTTP client defaults
    /// (resilience, service discovery): the gateway takes no client from <c>IHttpClientFactory</c> but the OTLP exporters',
    /// which must not retry (a retried export to an absent collector held a replaced pod's shutdown for up to 30 s), and
    /// setting them up cost every start of the gateway's pod about 0.1 s.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    /// <summary>
    /// Logs, metrics and traces exported over OTLP, when an endpoint is configured. Without one nothing is collected: there
    /// is nowhere to send it, and its instrumentation took about a tenth of a second of every start.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown every real trace.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal)
                        && !context.Request.Path.StartsWithSegments("/readyz", StringComparison.Ordinal))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>A liveness check that always answers, tagged so readiness checks can be added beside it.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>Maps <c>/healthz</c> (liveness) and <c>/readyz</c> (every check tagged <see cref="ReadyTag"/>).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag) || r.Tags.Contains(LiveTag) });
        return app;
    }
}
