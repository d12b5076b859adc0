using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;

namespace OpenShell.Server.Tests.Hosting;

/// <summary>The HTTP clients the service defaults hand out: resilient, except the OTLP exporters'.</summary>
public sealed class ServiceDefaultsTests
{
    [Theory]
    [InlineData("OtlpTraceExporter", false)]
    [InlineData("OtlpMetricExporter", false)]
    [InlineData("OtlpLogExporter", false)]
    [InlineData("sandbox-registry", true)]
    [InlineData("", true)]
    public void Only_clients_other_than_the_OTLP_exporters_retry_through_the_standard_resilience_handler(string client, bool resilient)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9";
        builder.AddServiceDefaults();
        using var host = builder.Build();

        using var handler = host.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client);

        var chain = new List<HttpMessageHandler>();
        for (HttpMessageHandler? next = handler; next is not null; next = (next as DelegatingHandler)?.InnerHandler)
        {
            chain.Add(next);
        }

        // A retried export to an absent collector held the gateway's shutdown (and so its rollout) for up to 30 s.
        Assert.Equal(resilient, chain.Exists(h => h is ResilienceHandler));
    }
}
