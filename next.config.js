/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  compress: false,
  serverExternalPackages: ["better-sqlite3"],
  // `npm run check` and `npm test` run tsc over the whole project; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
