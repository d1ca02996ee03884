import { useQuery } from '@tanstack/react-query';
import { api } from './api.js';
import { keys } from './query-keys.js';

export const useMe = () => useQuery({ queryKey: keys.me, queryFn: () => api.me(), staleTime: 60_000 });
