namespace MnistSample;

/// <summary>Fetches the four gzipped MNIST files into a folder when the network allows; quietly gives up otherwise.</summary>
internal static class MnistDownload
{
    // The PyTorch project's mirror of Yann LeCun's files (the original site refuses scripted downloads).
    private const string Mirror = "https://ossci-datasets.s3.amazonaws.com/mnist/";

    /// <summary>Downloads each missing file (as .gz) into <paramref name="folder"/>; returns what went wrong, or null.</summary>
    public static string? TryFetch(string folder, IEnumerable<string> names)
    {
        try
        {
            Directory.CreateDirectory(folder);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var name in names)
            {
                string target = Path.Combine(folder, name + ".gz"), partial = target + ".part";
                Console.Error.WriteLine($"downloading {Mirror}{name}.gz");
                try
                {
                    using (var response = http.GetAsync(Mirror + name + ".gz", HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
                    {
                        response.EnsureSuccessStatusCode();
                        using var file = File.Create(partial);
                        response.Content.CopyToAsync(file).GetAwaiter().GetResult();
                    }
                    // Whole files only: a broken download never leaves something that looks like data.
                    File.Move(partial, target, overwrite: true);
                }
                finally
                {
                    File.Delete(partial);
                }
            }
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
