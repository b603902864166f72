using System.Text;

namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// The two primitives every header store offers (Kestrel's header dictionaries, the HTTP/1.1 byte heads, local
/// replies), so that what an edit means is written once (<see cref="Filters.HeaderEdits"/>, CORS, ...) and not per
/// transport. Names compare case-insensitively.
/// </summary>
internal interface IHeaderEditor
{
    /// <summary>Removes every line named <paramref name="name"/>; with <paramref name="keep"/>, remembers their values (joined by ",").</summary>
    void RemoveAll(HeaderText name, bool keep);

    /// <summary>Adds a line; with <paramref name="afterKept"/>, its value is the kept values, ",", then <paramref name="value"/>.</summary>
    void Add(HeaderText name, HeaderText value, bool afterKept);

    /// <summary>Whether a line named <paramref name="name"/> is there (as edited so far).</summary>
    bool Has(HeaderText name);

    /// <summary>Removes every line (as edited so far) whose name <paramref name="match"/> removes.</summary>
    void RemoveMatching(Filters.HeaderNameMatch match);
}

/// <summary>A header name or value made once in both forms a transport needs: a string and its ASCII bytes.</summary>
internal sealed class HeaderText
{
    public HeaderText(string text)
    {
        Text = text;
        Bytes = Encoding.ASCII.GetBytes(text);
        IsPlain = IsPlainAscii(text);
    }

    public string Text { get; }
    public byte[] Bytes { get; }

    /// <summary>Printable ASCII without surrounding spaces: what the byte transports can write as is.</summary>
    public bool IsPlain { get; }

    public override string ToString() => Text;

    private static bool IsPlainAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~') return false;
        }
        return value.Length == 0 || (value[0] != ' ' && value[^1] != ' ');
    }
}
