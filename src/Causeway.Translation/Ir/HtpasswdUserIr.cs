namespace Causeway.Translation.Ir;

/// <summary>One htpasswd line: a user and the password hash (<c>{SHA}base64</c> or <c>$2y$...</c>).</summary>
public sealed record HtpasswdUserIr(string User, SecretText Hash);
