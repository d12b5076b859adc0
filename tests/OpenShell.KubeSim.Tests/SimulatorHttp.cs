using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace OpenShell.KubeSim.Tests;

/// <summary>A plain HttpClient for the simulator that trusts only its CA, optionally with its bearer token.</summary>
internal static class SimulatorHttp
{
    public static HttpClient CreateClient(KubeSimServer server, bool authenticated = true)
    {
        var authority = server.ClientConfiguration.SslCaCerts.Cast<X509Certificate2>().Single();
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = server.Url };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.ClientConfiguration.AccessToken);
        }

        return client;
    }
}
