using Causeway.Cli;
using Causeway.Model.Loading;

namespace Causeway.Providers.Tests.Cli;

public sealed class ExamplesTests
{
    private static string ExamplesDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Causeway.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "examples");
    }

    public static TheoryData<string> Directories()
    {
        // An example is a directory of manifests (examples/NAME), or each of the directories in a group of them
        // (examples/eg-policies/NAME, each runnable on its own).
        var data = new TheoryData<string>();
        var root = ExamplesDir();
        foreach (var d in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (Directory.GetFiles(d, "*.yaml").Length > 0) data.Add(Path.GetFileName(d));
            else foreach (var sub in Directory.GetDirectories(d).Order(StringComparer.Ordinal)) data.Add(Path.GetRelativePath(root, sub));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Directories))]
    public async Task EveryExampleValidatesAndHasBackendsAndRealCertificates(string name)
    {
        var dir = Path.Combine(ExamplesDir(), name);
        var output = new StringWriter();
        Assert.Equal(0, await CausewayCli.InvokeAsync(["validate", dir], new CliContext { Out = output, Err = output }));
        var load = new ManifestLoader().LoadPaths([dir]);
        Assert.Empty(load.Errors);
        Assert.Contains(load.Objects, o => o.Kind == "Gateway");
        foreach (var svc in load.Objects.Where(o => o.Kind == "Service"))
            Assert.Contains(load.Objects, o => o is Model.Objects.EndpointSlice s && s.ServiceName == svc.Name && s.Namespace == svc.Namespace);
        foreach (var secret in load.Objects.OfType<Model.Objects.Secret>().Where(s => s.Type == "kubernetes.io/tls"))
        {
            using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
                System.Text.Encoding.UTF8.GetString(secret.Data["tls.crt"]), System.Text.Encoding.UTF8.GetString(secret.Data["tls.key"]));
            Assert.True(cert.HasPrivateKey);
        }
    }
}
