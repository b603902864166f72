using System.Text;

namespace Causeway.DataPlane.Tests.Fuzz;

/// <summary>A generated request head and what a correct parser must say about it.</summary>
public sealed record GeneratedHead(string Text, string Method, string Target, string Host, long? ContentLength, bool Close, int HeaderCount, string Mutation)
{
    public byte[] Bytes => Encoding.Latin1.GetBytes(Text);

    public override string ToString() => Mutation + ": " + Text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
