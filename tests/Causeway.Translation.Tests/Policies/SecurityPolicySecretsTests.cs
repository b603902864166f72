using System.Text.Json;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation;
using Causeway.Translation.Ir;
using Causeway.Translation.Output;

namespace Causeway.Translation.Tests.Policies;

/// <summary>SecurityPolicy secrets (API keys, htpasswd hashes) reach the IR but never its printed forms.</summary>
public class SecurityPolicySecretsTests
{
    [Fact]
    public void Api_keys_and_password_hashes_are_in_the_ir_but_never_printed()
    {
        var input = Path.Combine(TestData.Directory, "sp-attach.in.yaml");
        var load = new ManifestLoader(TestData.Validator).LoadText(File.ReadAllText(input), "sp-attach.in.yaml");
        var snapshot = ResourceSnapshot.Create(load.Objects);
        var result = Translator.Translate(snapshot, GoldenTests.Options);
        var rules = result.Gateways.SelectMany(g => g.Ports).SelectMany(p => p.Listeners).SelectMany(l => l.Http!.VirtualHosts)
            .SelectMany(v => v.Matches).Select(m => m.Rule).ToList();
        var key = rules.Select(r => r.Security?.ApiKeyAuth).First(a => a is not null)!.Clients.Single().Key;
        Assert.Equal("TOPSECRET-API-KEY-1", key.Value); // the data plane needs it
        var hash = rules.Select(r => r.Security?.BasicAuth).First(b => b is not null)!.Users.First(u => u.User == "foo").Hash;

        var printed = new[]
        {
            GoldenTests.Render(input),
            JsonSerializer.Serialize(result.Gateways.AsImmutableArray(), OutputJson.Options),
            string.Join("\n", rules.Select(r => r.ToString())),
            key.ToString(),
        };
        foreach (var text in printed)
        {
            Assert.DoesNotContain("TOPSECRET", text, StringComparison.Ordinal);
            Assert.DoesNotContain(hash.Value, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Ys23Ag", text, StringComparison.Ordinal);
        }
        Assert.Contains(key.Fingerprint, printed[1], StringComparison.Ordinal);
    }
}
