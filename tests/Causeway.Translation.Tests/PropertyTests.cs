using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Output;
using CsCheck;

namespace Causeway.Translation.Tests;

/// <summary>
/// Properties of the translator: output does not depend on the order objects arrive in, and no structurally valid
/// input makes it throw.
/// </summary>
public class PropertyTests
{
    private static string RenderObjects(IEnumerable<KubeObject> objects)
    {
        var snapshot = ResourceSnapshot.Create(objects);
        return ResultWriter.ToYaml(ResultWriter.Render(Translator.Translate(snapshot, GoldenTests.Options), snapshot));
    }

    private static IReadOnlyList<KubeObject> LoadGolden(string name) =>
        new ManifestLoader(TestData.Validator).LoadText(File.ReadAllText(Path.Combine(TestData.Directory, name + ".in.yaml")), name).Objects;

    private static T[] Shuffled<T>(IReadOnlyList<T> items, int seed)
    {
        var a = items.ToArray();
        new Random(seed).Shuffle(a);
        return a;
    }

    [Theory]
    [MemberData(nameof(GoldenTests.Cases), MemberType = typeof(GoldenTests))]
    public void ObjectOrderDoesNotChangeOutput(string name)
    {
        var objects = LoadGolden(name);
        var expected = RenderObjects(objects);
        Gen.Int[0, int.MaxValue].Sample(seed => Assert.Equal(expected, RenderObjects(Shuffled(objects, seed))), iter: 20, threads: 1);
    }

    [Theory]
    [MemberData(nameof(GoldenTests.Cases), MemberType = typeof(GoldenTests))]
    public void DocumentOrderInYamlDoesNotChangeOutput(string name)
    {
        var text = File.ReadAllText(Path.Combine(TestData.Directory, name + ".in.yaml"));
        var docs = text.Split("\n---\n");
        string Load(string yaml)
        {
            var load = new ManifestLoader(TestData.Validator).LoadText(yaml, name);
            // Errors carry line numbers, which move with the documents: compare them without their location.
            var errors = load.Errors.Select(e => (e with { Line = 0 }).ToString()).Order(StringComparer.Ordinal);
            return string.Join("\n", errors) + RenderObjects(load.Objects);
        }
        var expected = Load(text);
        Gen.Int[0, int.MaxValue].Sample(seed => Assert.Equal(expected, Load(string.Join("\n---\n", Shuffled(docs, seed)) + "\n")), iter: 10, threads: 1);
    }

    [Fact]
    public void GeneratedInputsNeverThrow()
    {
        RandomWorld.Gen.Sample(objects =>
        {
            var snapshot = ResourceSnapshot.Create(objects);
            var result = Translator.Translate(snapshot, GoldenTests.Options);
            var yaml = ResultWriter.ToYaml(ResultWriter.Render(result, snapshot));
            Assert.False(string.IsNullOrEmpty(yaml));
            // Determinism on the same input, and order independence on random worlds too.
            Assert.Equal(yaml, RenderObjects(objects.AsEnumerable().Reverse()));
        }, iter: 300, threads: 1, print: objs => string.Join("\n", objs.Select(o => o.ToString())));
    }

    [Fact]
    public void GeneratorProducesAttachedRoutesSometimes()
    {
        // Guards against a generator so broken that nothing ever attaches (the never-throws property would be vacuous).
        var attached = 0;
        RandomWorld.Gen.Sample(objects =>
        {
            var snapshot = ResourceSnapshot.Create(objects);
            var result = Translator.Translate(snapshot, GoldenTests.Options);
            if (result.Gateways.Any(g => g.Ports.Any(p => p.Listeners.Any(l => l.Http is { VirtualHosts.Count: > 0 }))))
                attached++;
        }, iter: 100, threads: 1);
        Assert.True(attached > 5, $"only {attached} of 100 generated worlds had an attached HTTP route");
    }
}
