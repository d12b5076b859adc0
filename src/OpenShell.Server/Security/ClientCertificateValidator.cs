using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenShell.Server.Security;

/// <summary>Accepts a client certificate only when it chains to the configured client CA; the system store is not consulted.</summary>
internal sealed class ClientCertificateValidator(X509Certificate2Collection roots)
{
    private static readonly Oid s_clientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>The shape Kestrel's <c>ClientCertificateValidation</c> expects.</summary>
    internal bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(s_clientAuthentication);
        return custom.Build(certificate);
    }
}
