declare module 'virtual:china-geo' {
  const geo: {
    type: 'FeatureCollection';
    features: { type: 'Feature'; id: string; properties: { name: string; china: boolean }; geometry: unknown }[];
  };
  export default geo;
}
