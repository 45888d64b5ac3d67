/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  compress: false,
  serverExternalPackages: ["better-sqlite3"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
